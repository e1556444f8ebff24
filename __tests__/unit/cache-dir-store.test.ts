import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { dirStore } from '../../src/cache/archive.js'

describe.skipIf(process.platform === 'win32')('a cache-dir store', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-store-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  function saved(key: string, content: string) {
    const store = dirStore(path.join(dir, 'cache'), false)
    const pip = path.join(dir, 'home', 'pip')
    fs.mkdirSync(pip, { recursive: true })
    fs.writeFileSync(path.join(pip, 'entry'), content)
    return { store, pip, save: () => store.save(pip, key) }
  }

  it('restores into the directory it started with: its identity stays', async () => {
    const { store, pip, save } = saved('pip-k', 'one')
    await save()
    fs.rmSync(pip, { recursive: true })
    fs.mkdirSync(pip)
    const before = fs.statSync(pip).ino
    expect(await store.restore(pip, 'pip-k')).toBe('pip-k')
    expect(fs.statSync(pip).ino).toBe(before)
    expect(fs.readFileSync(path.join(pip, 'entry'), 'utf8')).toBe('one')
  })

  it('leaves a directory another job filled meanwhile as that job made it', async () => {
    const { store, pip, save } = saved('pip-k', 'one')
    await save()
    // Another job sharing HOME restored (or wrote) pip's cache a moment before.
    fs.writeFileSync(path.join(pip, 'entry'), 'the other job')
    expect(await store.restore(pip, 'pip-k')).toBe('pip-k')
    expect(fs.readFileSync(path.join(pip, 'entry'), 'utf8')).toBe('the other job')
    expect(fs.readdirSync(path.dirname(pip))).toEqual(['pip'])
  })
})
