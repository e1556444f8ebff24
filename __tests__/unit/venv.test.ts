import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PythonInstall } from '../../src/python/probe.js'
import { ActionError } from '../../src/report/diagnostic.js'
import {
  discardInterruptedRestore,
  markComplete,
  markRestoring,
  readMarker,
  restoreEnded,
  type VenvMarker
} from '../../src/venv/marker.js'
import { parsePyvenvCfg, planVenv } from '../../src/venv/plan.js'

const python = {
  executable: '/opt/py/3.12.1/bin/python3',
  versionText: '3.12.1',
  basePrefix: '/opt/py/3.12.1'
} as PythonInstall

const cfg = parsePyvenvCfg(
  'home = /opt/py/3.12.1/bin\ninclude-system-site-packages = false\nversion = 3.12.1\n'
)
const otherCfg = parsePyvenvCfg('home = /usr/bin\nversion = 3.11.2\n')
const marker = (m: Partial<VenvMarker>): VenvMarker => ({
  format: 1,
  created: true,
  complete: true,
  python: python.executable,
  fingerprint: 'f1',
  ...m
})

describe('planVenv', () => {
  it('creates where nothing is', () => {
    expect(planVenv({ kind: 'absent' }, python, 'f1', '/w/.venv').action).toBe('create')
    expect(planVenv({ kind: 'empty-directory' }, python, 'f1', '/w/.venv').action).toBe('create')
  })

  it('refuses a file and a directory that is not a venv', () => {
    expect(() => planVenv({ kind: 'file' }, python, 'f1', '/w/x')).toThrow(ActionError)
    expect(() =>
      planVenv({ kind: 'not-venv', entries: ['app.py'] }, python, 'f1', '/w/src')
    ).toThrow(/app\.py/)
  })

  it('reuses its own complete venv only with the same fingerprint, and rebuilds it otherwise', () => {
    expect(planVenv({ kind: 'venv', cfg, marker: marker({}) }, python, 'f1', '/v')).toMatchObject({
      action: 'reuse',
      upToDate: true
    })
    // Installing over it would keep what the inputs no longer name.
    expect(planVenv({ kind: 'venv', cfg, marker: marker({}) }, python, 'f2', '/v')).toMatchObject({
      action: 'rebuild'
    })
  })

  it('rebuilds its own venv holding local projects, whose dependencies can change unseen', () => {
    expect(
      planVenv({ kind: 'venv', cfg, marker: marker({}) }, python, 'f1', '/v', true).action
    ).toBe('rebuild')
    // The user's own venv is installed over, as `python -m venv` over it would keep it.
    expect(planVenv({ kind: 'venv', cfg }, python, 'f1', '/v', true).action).toBe('reuse')
  })

  it('rebuilds its own venv when incomplete or made from another interpreter', () => {
    expect(
      planVenv({ kind: 'venv', cfg, marker: marker({ complete: false }) }, python, 'f1', '/v')
        .action
    ).toBe('rebuild')
    expect(
      planVenv({ kind: 'venv', cfg: otherCfg, marker: marker({}) }, python, 'f1', '/v').action
    ).toBe('rebuild')
  })

  it("reuses the user's venv of the same interpreter but never deletes one of another", () => {
    expect(planVenv({ kind: 'venv', cfg }, python, 'f1', '/v')).toMatchObject({
      action: 'reuse',
      created: false,
      upToDate: false
    })
    expect(() => planVenv({ kind: 'venv', cfg: otherCfg }, python, 'f1', '/v')).toThrow(
      /did not create/
    )
    expect(() =>
      planVenv(
        { kind: 'venv', cfg: otherCfg, marker: marker({ created: false }) },
        python,
        'f1',
        '/v'
      )
    ).toThrow(/did not create/)
  })
})

describe('an update of its own venv', () => {
  const held = {
    tools: [{ name: 'pip', version: '26.2.1', sha256: 'a'.repeat(64), requested: true }],
    dists: [{ name: 'alpha', version: '1.0', sha256: 'b'.repeat(64), requested: true }],
    settings: 'c'.repeat(64)
  }

  it('is planned for its own complete venv from an earlier cache entry, whose content is known', () => {
    const state = { kind: 'venv' as const, cfg, marker: marker({ content: held }) }
    expect(planVenv(state, python, 'f2', '/v', false, true)).toMatchObject({
      action: 'update',
      held
    })
    expect(planVenv(state, python, 'f1', '/v')).toMatchObject({ action: 'reuse', held })
    // Left in a workspace (later steps may have changed it), local projects, an interrupted
    // install, or a venv not its own: never updated.
    expect(planVenv(state, python, 'f2', '/v').action).toBe('rebuild')
    expect(planVenv(state, python, 'f2', '/v', true, true).action).toBe('rebuild')
    const incomplete = { ...state, marker: marker({ content: held, complete: false }) }
    expect(planVenv(incomplete, python, 'f2', '/v', false, true).action).toBe('rebuild')
    const users = { ...state, marker: marker({ content: held, created: false }) }
    expect(planVenv(users, python, 'f2', '/v', false, true)).toMatchObject({
      action: 'reuse',
      held: undefined
    })
  })

  it('trusts only plain names, versions and hashes from the marker', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-marker-'))
    try {
      const owner = { created: true, python: python.executable, fingerprint: 'f1' }
      markComplete(dir, owner, held)
      expect(readMarker(dir)?.content).toEqual(held)
      for (const bad of [
        { ...held.dists[0], name: '--index-url=https://evil' },
        { ...held.dists[0], sha256: 'x' },
        { ...held.dists[0], version: '1.0 --pre' },
        { ...held.dists[0], requested: 'yes' }
      ]) {
        markComplete(dir, owner, { ...held, dists: [bad as never] })
        expect(readMarker(dir)).toMatchObject({ complete: true, content: undefined })
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('madeFrom', () => {
  it('knows a pre-release interpreter by its X.Y.Z, and tells 3.12.10 from 3.12.1', async () => {
    const { madeFrom } = await import('../../src/venv/plan.js')
    const pre = { ...python, versionText: '3.14.0a1' }
    expect(madeFrom(parsePyvenvCfg('home = /opt/py/3.12.1/bin\nversion = 3.14.0\n'), pre)).toBe(
      true
    )
    expect(madeFrom(parsePyvenvCfg('home = /opt/py/3.12.1/bin\nversion = 3.12.10\n'), python)).toBe(
      false
    )
  })
})

describe('a restore cut short', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-restore-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))
  const restoreInto = (venv: string) =>
    markComplete(venv, { created: true, python: '/p/python3', fingerprint: 'f' })

  it('leaves a venv that the next run removes, whatever its marker says; a finished one stays', () => {
    const venv = path.join(dir, '.venv')
    expect(markRestoring(venv)).toBe(true)
    restoreInto(venv)
    restoreEnded(venv)
    discardInterruptedRestore(venv)
    expect(fs.existsSync(venv)).toBe(true)

    fs.rmSync(venv, { recursive: true })
    markRestoring(venv)
    restoreInto(venv) // and the job is cancelled here
    discardInterruptedRestore(venv)
    expect(fs.readdirSync(dir)).toEqual([])
  })

  it('into an empty directory that was there: its content goes, the directory stays', () => {
    const venv = path.join(dir, 'env')
    fs.mkdirSync(venv)
    markRestoring(venv)
    restoreInto(venv)
    discardInterruptedRestore(venv)
    expect(fs.readdirSync(dir)).toEqual(['env'])
    expect(fs.readdirSync(venv)).toEqual([])
  })

  it.each([
    ['an empty mark committed beside data/', ''],
    [
      'a mark of the right shape for another directory',
      '{"dev":1,"ino":2,"birthtimeMs":3,"created":true}'
    ]
  ])('never removes a directory it did not restore into: %s', (_what, content) => {
    for (const name of ['data', '.venv']) {
      const venv = path.join(dir, name)
      fs.mkdirSync(venv)
      fs.writeFileSync(path.join(venv, 'keep.txt'), 'mine')
      if (name === '.venv') fs.writeFileSync(path.join(venv, 'pyvenv.cfg'), 'home = /usr/bin\n')
      const mark = path.join(dir, `.${name}.venv-guard-restoring`)
      fs.writeFileSync(mark, content)
      discardInterruptedRestore(venv)
      expect(fs.readFileSync(path.join(venv, 'keep.txt'), 'utf8')).toBe('mine')
      // Nor is the file overwritten by the next restore's mark.
      expect(markRestoring(venv)).toBe(false)
      expect(fs.readFileSync(mark, 'utf8')).toBe(content)
    }
  })
})
