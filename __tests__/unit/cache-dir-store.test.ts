import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { dirStore } from '../../src/cache/archive.js'
import {
  END_OF_ARCHIVE,
  holdBackEnd,
  indexFrame,
  joinRanges,
  MAX_PARTS,
  partRanges,
  splitEntries
} from '../../src/cache/parts.js'

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
    const result = await store.restore(pip, 'pip-k')
    expect(result).toEqual({ key: 'pip-k', entries: ['entry'] })
    expect(fs.statSync(pip).ino).toBe(before)
    expect(fs.readFileSync(path.join(pip, 'entry'), 'utf8')).toBe('one')
  })

  it('keeps no archive of a directory that changed while it was archived', async () => {
    const { store, pip } = saved('pip-k', 'one')
    let asked = 0
    expect(
      await store.save(pip, 'pip-k', () => {
        asked++
        return false
      })
    ).toBe(false)
    expect(asked).toBe(1)
    expect(fs.readdirSync(path.join(dir, 'cache'))).toEqual([])
    expect(await store.save(pip, 'pip-k', () => true)).toBe(true)
    expect(fs.readdirSync(path.join(dir, 'cache'))).toEqual(['pip-k.tar.gz'])
  })

  it('leaves a directory another job filled meanwhile as that job made it', async () => {
    const { store, pip, save } = saved('pip-k', 'one')
    await save()
    // Another job sharing HOME restored (or wrote) pip's cache a moment before.
    fs.writeFileSync(path.join(pip, 'entry'), 'the other job')
    const result = await store.restore(pip, 'pip-k')
    expect(result?.key).toBe('pip-k')
    expect(result?.entries).toBeUndefined()
    expect(fs.readFileSync(path.join(pip, 'entry'), 'utf8')).toBe('the other job')
    expect(fs.readdirSync(path.dirname(pip))).toEqual(['pip'])
  })

  it.skipIf(process.platform === 'win32')(
    'refuses an archive that holds anything but files, directories and links (a FIFO)',
    async () => {
      const { store, pip, save } = saved('pip-k', 'one')
      fs.mkdirSync(path.join(pip, 'deep', 'er'), { recursive: true })
      execFileSync('mkfifo', [path.join(pip, 'deep', 'er', 'pipe')])
      await save()
      fs.rmSync(pip, { recursive: true })
      expect(await store.restore(pip, 'pip-k')).toBeUndefined()
      expect(fs.existsSync(pip)).toBe(false)
    }
  )
})

const zstd = (() => {
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()
if (!zstd) console.warn('archives in parts not tested: no zstd on PATH')

describe.skipIf(process.platform === 'win32' || !zstd)('a cache-dir archive in parts', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-parts-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  /** A venv-like tree: many directories and files, a link, a hard link, odd modes and names. */
  function tree(root: string): void {
    for (let d = 0; d < 12; d++) {
      const sub = path.join(root, 'lib', `pkg${d}`, '__pycache__')
      fs.mkdirSync(sub, { recursive: true })
      for (let f = 0; f < 5; f++) {
        fs.writeFileSync(path.join(root, 'lib', `pkg${d}`, `m${f}.py`), `x = ${d * 10 + f}\n`)
        fs.writeFileSync(path.join(sub, `m${f}.pyc`), Buffer.alloc(512 * f))
      }
    }
    fs.mkdirSync(path.join(root, 'bin'))
    fs.writeFileSync(path.join(root, 'bin', 'tool'), '#!/bin/sh\n', { mode: 0o755 })
    fs.symlinkSync('tool', path.join(root, 'bin', 'tool-link'))
    fs.linkSync(path.join(root, 'bin', 'tool'), path.join(root, 'lib', 'zz-hard-link'))
    fs.mkdirSync(path.join(root, 'include', 'empty'), { recursive: true })
    fs.writeFileSync(path.join(root, '-dash'), 'a name that reads as an option')
    // Last in the walk, in the last part, but its hard links go first: its mode must survive.
    fs.mkdirSync(path.join(root, 'zz'))
    fs.writeFileSync(path.join(root, 'zz', 'a'), 'linked')
    fs.linkSync(path.join(root, 'zz', 'a'), path.join(root, 'zz', 'b'))
    fs.chmodSync(path.join(root, 'zz'), 0o700)
  }

  /** Every entry's path, relative, with `/`. */
  const walked = (root: string): string[] =>
    fs
      .readdirSync(root, { recursive: true, encoding: 'utf8' })
      .map(name => name.split(path.sep).join('/'))
      .sort()

  /** Every entry's path, kind, mode, size, link target and content. */
  function describeTree(root: string): string[] {
    return fs
      .readdirSync(root, { recursive: true, withFileTypes: true })
      .map(entry => {
        const full = path.join(entry.parentPath, entry.name)
        const stat = fs.lstatSync(full)
        const content = entry.isFile()
          ? fs.readFileSync(full, 'base64')
          : entry.isSymbolicLink()
            ? fs.readlinkSync(full)
            : ''
        return `${path.relative(root, full)} ${stat.mode.toString(8)} ${stat.size} ${content}`
      })
      .sort()
  }

  it('saves one ordinary tar.zst that unpacks in parts to the very same tree', async () => {
    const venv = path.join(dir, 'ws', '-venv')
    tree(venv)
    const store = dirStore(path.join(dir, 'cache'), true)
    expect(await store.save(venv, 'k')).toBe(true)
    const archive = path.join(dir, 'cache', 'k.tar.zst')
    expect(fs.readdirSync(path.join(dir, 'cache'))).toEqual(['k.tar.zst'])
    expect(partRanges(archive)?.length).toBe(4)
    // Any tar reads it whole: the parts decompress to one tar.
    const whole = path.join(dir, 'whole')
    fs.mkdirSync(whole)
    execFileSync('tar', ['-x', '--zstd', '-f', archive, '-C', whole])
    expect(describeTree(path.join(whole, '-venv'))).toEqual(describeTree(venv))

    const restored = path.join(dir, 'job2', '-venv')
    const result = await store.restore(restored, 'k')
    expect(result?.key).toBe('k')
    expect(describeTree(restored)).toEqual(describeTree(venv))
    // It lists what it put there, each directory before what it holds: no walk needed after.
    const entries = result?.entries ?? []
    expect([...new Set(entries)].sort()).toEqual(walked(restored))
    for (const [i, entry] of entries.entries())
      if (entry.includes('/')) expect(entries.indexOf(path.posix.dirname(entry))).toBeLessThan(i)
    expect(fs.lstatSync(path.join(restored, 'lib', 'zz-hard-link')).nlink).toBe(2)
  })

  it('unpacks an archive whose parts do not unpack as one, and refuses one that does neither', async () => {
    const venv = path.join(dir, 'ws', '.venv')
    tree(venv)
    const store = dirStore(path.join(dir, 'cache'), true)
    await store.save(venv, 'k')
    const archive = path.join(dir, 'cache', 'k.tar.zst')
    const ranges = partRanges(archive)!
    // An index that names other sizes is no index: the archive is unpacked whole.
    const bytes = fs.readFileSync(archive)
    const frame = indexFrame([ranges[0].end - ranges[0].start + 1, 1])
    fs.writeFileSync(archive, Buffer.concat([frame, bytes.subarray(ranges[0].start)]))
    expect(partRanges(archive)).toBeUndefined()
    expect((await store.restore(path.join(dir, 'job2', '.venv'), 'k'))?.key).toBe('k')
    expect(describeTree(path.join(dir, 'job2', '.venv'))).toEqual(describeTree(venv))

    // A part that is broken fails in parts and whole: nothing is left behind.
    const broken = Buffer.from(bytes)
    broken.fill(7, ranges[1].start + 20, ranges[1].start + 200)
    fs.writeFileSync(archive, broken)
    const target = path.join(dir, 'job3', '.venv')
    expect(await store.restore(target, 'k')).toBeUndefined()
    expect(fs.readdirSync(path.dirname(target))).toEqual([])
  })
  it('refuses an archive one of whose later parts holds a FIFO, and leaves nothing', async () => {
    const venv = path.join(dir, 'ws', '.venv')
    tree(venv)
    execFileSync('mkfifo', [path.join(venv, 'zz', 'pipe')])
    const store = dirStore(path.join(dir, 'cache'), true)
    expect(await store.save(venv, 'k')).toBe(true)
    expect(partRanges(path.join(dir, 'cache', 'k.tar.zst'))?.length).toBe(4)
    const target = path.join(dir, 'job2', '.venv')
    expect(await store.restore(target, 'k')).toBeUndefined()
    expect(fs.readdirSync(path.dirname(target))).toEqual([])
  })

  it('never lets one part write through a link another part made', async () => {
    const outside = path.join(dir, 'outside')
    fs.mkdirSync(outside)
    // Part 0: .venv/x -> outside. Part 1: .venv/x/evil, as if x were a directory.
    const linkTree = path.join(dir, 'a')
    fs.mkdirSync(path.join(linkTree, '.venv'), { recursive: true })
    fs.symlinkSync(outside, path.join(linkTree, '.venv', 'x'))
    const fileTree = path.join(dir, 'b')
    fs.mkdirSync(path.join(fileTree, '.venv', 'x'), { recursive: true })
    fs.writeFileSync(path.join(fileTree, '.venv', 'x', 'evil'), 'written through the link')
    // Many files first, so that part 0 has made its link by the time part 1 reaches x/evil.
    fs.mkdirSync(path.join(fileTree, '.venv', 'a'))
    for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(fileTree, '.venv', 'a', `${i}`), '')
    const a = path.join(dir, 'a.tar')
    const b = path.join(dir, 'b.tar')
    execFileSync('tar', ['-c', '-b', '1', '-f', a, '-C', linkTree, '.venv'])
    execFileSync('tar', ['-c', '-b', '1', '-f', b, '-C', fileTree, '.venv/a', '.venv/x'])
    fs.truncateSync(a, fs.statSync(a).size - END_OF_ARCHIVE)
    for (const part of [a, b]) execFileSync('zstd', ['-q', '-f', part, '-o', `${part}.zst`])
    const sizes = [a, b].map(part => fs.statSync(`${part}.zst`).size)
    fs.mkdirSync(path.join(dir, 'cache'))
    const archive = path.join(dir, 'cache', 'k.tar.zst')
    fs.writeFileSync(
      archive,
      Buffer.concat([indexFrame(sizes), ...[a, b].map(part => fs.readFileSync(`${part}.zst`))])
    )
    expect(partRanges(archive)?.length).toBe(2)
    await dirStore(path.join(dir, 'cache'), true).restore(path.join(dir, 'job', '.venv'), 'k')
    expect(fs.readdirSync(outside)).toEqual([])
  })
})

describe('an archive in parts, piece by piece', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-parts-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('cuts the entries in runs, the root, hard-linked files and their directories first', () => {
    const root = path.join(dir, '.venv')
    fs.mkdirSync(path.join(root, 'a'), { recursive: true })
    fs.mkdirSync(path.join(root, 'b'))
    for (const f of ['1', '2']) {
      fs.writeFileSync(path.join(root, 'a', f), f)
      fs.writeFileSync(path.join(root, 'b', f), f)
    }
    fs.linkSync(path.join(root, 'b', '2'), path.join(root, 'b', '3'))
    fs.symlinkSync('a', path.join(root, 'link'))
    expect(splitEntries(root, 2)).toEqual([
      ['./.venv', './.venv/b', './.venv/b/2', './.venv/b/3', './.venv/a', './.venv/a/1'],
      ['./.venv/a/2', './.venv/b/1', './.venv/link']
    ])
    expect(splitEntries(path.join(dir, '.venv', 'a'), 8)).toEqual([['./a'], ['./a/1'], ['./a/2']])
  })

  it('cuts where the runs cost about as much to unpack: a large file weighs like many small ones', () => {
    const root = path.join(dir, 'v')
    fs.mkdirSync(root)
    for (const f of ['a', 'b', 'c', 'd', 'e', 'f']) fs.writeFileSync(path.join(root, f), f)
    fs.writeFileSync(path.join(root, 'g.so'), Buffer.alloc(6 * 24 * 1024))
    expect(splitEntries(root, 2)).toEqual([
      ['./v', './v/a', './v/b', './v/c', './v/d', './v/e', './v/f'],
      ['./v/g.so']
    ])
  })

  it('joins adjacent parts into one run per core', () => {
    const ranges = [0, 10, 25, 27, 40].map((start, i, all) => ({
      start,
      end: all[i + 1] ?? 50
    }))
    expect(joinRanges(ranges, 2)).toEqual([
      { start: 0, end: 25 },
      { start: 25, end: 50 }
    ])
    expect(joinRanges(ranges, 1)).toEqual([{ start: 0, end: 50 }])
    expect(joinRanges(ranges.slice(0, 2), 8)).toEqual(ranges.slice(0, 2))
  })

  it('reads an index only where it accounts for every byte after it', () => {
    const file = path.join(dir, 'archive')
    fs.writeFileSync(file, Buffer.concat([indexFrame([3, 2]), Buffer.from('abcde')]))
    const start = indexFrame([3, 2]).length
    expect(partRanges(file)).toEqual([
      { start, end: start + 3 },
      { start: start + 3, end: start + 5 }
    ])
    fs.appendFileSync(file, 'f')
    expect(partRanges(file)).toBeUndefined()
    fs.writeFileSync(file, 'not zstd at all')
    expect(partRanges(file)).toBeUndefined()
    fs.writeFileSync(file, Buffer.concat([indexFrame([-1, 6]), Buffer.from('abcde')]))
    expect(partRanges(file)).toBeUndefined()
    // Each part starts a tar: more than venv-guard ever writes is refused.
    const many = Array.from({ length: MAX_PARTS + 1 }, () => 1)
    fs.writeFileSync(file, Buffer.concat([indexFrame(many), Buffer.alloc(many.length)]))
    expect(partRanges(file)).toBeUndefined()
  })

  it('passes a part to zstd without the two zero blocks a tar ends with, but for the last', async () => {
    const through = async (last: boolean, chunks: Buffer[]) => {
      const out: Buffer[] = []
      const collect = new Writable({
        write(chunk: Buffer, _encoding, done) {
          out.push(chunk)
          done()
        }
      })
      await pipeline(Readable.from(chunks), holdBackEnd(last), collect)
      return Buffer.concat(out)
    }
    const data = Buffer.alloc(512, 1)
    const ending = [
      data.subarray(0, 300),
      Buffer.concat([data.subarray(300), Buffer.alloc(700)]),
      Buffer.alloc(324)
    ]
    expect(await through(false, ending)).toEqual(data)
    expect((await through(true, ending)).length).toBe(512 + END_OF_ARCHIVE)
    await expect(through(false, [data, Buffer.alloc(512)])).rejects.toThrow(/two zero blocks/)
    await expect(through(false, [data, Buffer.alloc(1023), Buffer.alloc(1, 1)])).rejects.toThrow(
      /two zero blocks/
    )
  })
})
