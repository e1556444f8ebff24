import { describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  beyondTools,
  changeTo,
  pruneEmptyDirs,
  sharedFile,
  whyNotStart,
  whyNotUpdate
} from '../../src/install/update.js'
import type { RequirementEntry } from '../../src/pip/requirement-line.js'

const dist = (name: string, version: string, sha = 'a', requested = true) => ({
  name,
  version,
  sha256: sha.repeat(64),
  requested
})
const tools = [dist('pip', '26.2.1'), dist('setuptools', '84.0.0'), dist('wheel', '0.48.0')]
const S = 'e'.repeat(64)
const held = { tools, dists: [dist('alpha', '1.0'), dist('beta', '2.0', 'b', false)], settings: S }
const present = ['alpha 1.0', 'beta 2.0', 'pip 26.2.1', 'setuptools 84.0.0', 'wheel 0.48.0']

describe('changeTo', () => {
  it('removes what differs in version, file or request, and installs what is new', () => {
    const wanted = [dist('Alpha', '1.0'), dist('beta', '2.0', 'b', true), dist('gamma', '3.0')]
    expect(changeTo(held.dists, wanted)).toEqual({
      remove: [dist('beta', '2.0', 'b', false)],
      add: [dist('beta', '2.0', 'b', true), dist('gamma', '3.0')]
    })
    expect(changeTo(held.dists, [dist('alpha', '1.0', 'c')])).toEqual({
      remove: held.dists,
      add: [dist('alpha', '1.0', 'c')]
    })
    expect(changeTo(held.dists, held.dists)).toEqual({ remove: [], add: [] })
  })
})

describe('whyNotStart and whyNotUpdate', () => {
  it('let an update start when the venv holds what its marker lists and the tools are the same', () => {
    expect(whyNotStart(held, S, present, [])).toBeUndefined()
    expect(whyNotUpdate(tools, [...tools].reverse(), [dist('gamma', '1')])).toBeUndefined()
  })

  it('refuse, before pip is asked, a venv whose settings or content changed', () => {
    expect(whyNotStart(held, 'f'.repeat(64), present, [])).toMatch(/settings changed/)
    expect(whyNotStart(held, S, [...present, 'omega 1.0'].sort(), [])).toMatch(/later step/)
    expect(whyNotStart(held, S, present.slice(1), [])).toMatch(/later step/)
  })

  it('refuse, before pip runs, requirements pip installs as no file from an index', () => {
    const line = (text: string, kind: RequirementEntry['kind'] = 'requirement') => ({
      file: 'requirements.txt',
      line: 1,
      kind,
      text,
      constraint: false
    })
    expect(whyNotStart(held, S, present, [line('alpha>=1'), line('--pre', 'option')])).toBe(
      undefined
    )
    for (const entry of [
      line('-e ./lib', 'editable'),
      line('./lib/proj'),
      line('alpha @ https://example.org/alpha-1.0-py3-none-any.whl'),
      line('https://example.org/alpha-1.0.tar.gz'),
      line('wheels/alpha-1.0-py3-none-any.whl')
    ])
      expect(whyNotStart(held, S, present, [line('beta'), entry])).toMatch(/no file from an index/)
  })

  it("refuse what pip's answers say would not end as a new venv", () => {
    expect(whyNotUpdate(tools, [dist('pip', '26.3'), ...tools.slice(1)], [])).toMatch(/other tools/)
    expect(whyNotUpdate(tools, undefined, [])).toMatch(/other tools/)
    expect(whyNotUpdate(tools, tools, undefined)).toMatch(/one file from an index/)
    expect(whyNotUpdate(tools, tools, [dist('setuptools', '70.0')])).toMatch(
      /another version of a tool/
    )
  })
})

describe('beyondTools', () => {
  it('leaves out a tool a requirement needs in the very file the upgrade installed', () => {
    const needs = [dist('black', '26.5.1'), dist('wheel', '0.48.0', 'a', false)]
    expect(beyondTools(tools, needs)).toEqual([dist('black', '26.5.1')])
  })

  it('is undefined when a requirement needs a tool in another version or file', () => {
    expect(beyondTools(tools, [dist('wheel', '0.43.0')])).toBeUndefined()
    expect(beyondTools(tools, [dist('wheel', '0.48.0', 'c')])).toBeUndefined()
  })
})

describe('sharedFile', () => {
  it('finds a file a distribution that goes shares with one that stays (opencv and its headless twin)', () => {
    const cv = ['/sp/cv2/__init__.py', '/sp/cv2/data.bin']
    expect(sharedFile([['/sp/a.py', ...cv]], [[...cv, '/sp/other.py']])).toBe('/sp/cv2/__init__.py')
    expect(sharedFile([['/sp/a.py']], [['/sp/b.py']])).toBeUndefined()
  })
})

describe('pruneEmptyDirs', () => {
  it('removes what uninstall left empty, but never the directories a new venv has', () => {
    const venv = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-prune-'))
    try {
      const sp = path.join(venv, 'lib', 'python3.12', 'site-packages')
      for (const dir of ['ns/gone', 'ns/kept', 'empty-data'])
        fs.mkdirSync(path.join(sp, dir), { recursive: true })
      fs.writeFileSync(path.join(sp, 'ns', 'kept', 'x.py'), '')
      fs.mkdirSync(path.join(venv, 'share', 'gone', 'deep'), { recursive: true })
      fs.mkdirSync(path.join(venv, 'include'), { recursive: true })
      pruneEmptyDirs(venv, sp, [
        path.join(sp, 'ns', 'gone', 'm.py'),
        path.join(sp, 'ns', 'kept', 'y.py'),
        path.join(venv, 'share', 'gone', 'deep', 'f.txt'),
        path.join(venv, 'include', 'h.h')
      ])
      expect(fs.existsSync(path.join(sp, 'ns', 'gone'))).toBe(false)
      expect(fs.existsSync(path.join(sp, 'ns', 'kept', 'x.py'))).toBe(true)
      expect(fs.existsSync(path.join(sp, 'empty-data'))).toBe(true) // not the uninstall's
      expect(fs.existsSync(path.join(venv, 'share', 'gone'))).toBe(false)
      // A new venv has no share/, but has include/.
      expect(fs.existsSync(path.join(venv, 'share'))).toBe(false)
      expect(fs.existsSync(path.join(venv, 'include'))).toBe(true)
      expect(fs.existsSync(sp)).toBe(true)
    } finally {
      fs.rmSync(venv, { recursive: true, force: true })
    }
  })
})
