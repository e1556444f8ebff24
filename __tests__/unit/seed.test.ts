import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { heldFromReport, sameDists } from '../../src/pip/report.js'
import {
  plantSeed,
  readSeed,
  saveSeed,
  seedContent,
  seedKey,
  seedStore,
  type SeedTarget
} from '../../src/install/seed.js'

const item = (name: string, version: string, sha256?: string, more = {}) => ({
  ...more,
  metadata: { name, version },
  download_info: {
    url: `https://files.example/${name}-${version}-py3-none-any.whl`,
    archive_info: { hashes: sha256 ? { sha256 } : {} }
  }
})

describe('heldFromReport', () => {
  it('names each wheel the report would install, with its hash', () => {
    const json = JSON.stringify({
      install: [item('pip', '26.2.1', 'aa', { requested: true }), item('Wheel', '0.48.0', 'bb')]
    })
    expect(heldFromReport(json)).toEqual([
      { name: 'pip', version: '26.2.1', sha256: 'aa', requested: true },
      { name: 'Wheel', version: '0.48.0', sha256: 'bb', requested: false }
    ])
  })

  it('is undefined when one has no hash (a local directory, a VCS checkout)', () => {
    const json = JSON.stringify({ install: [item('pip', '26.2.1', 'aa'), item('wheel', '0.48.0')] })
    expect(heldFromReport(json)).toBeUndefined()
  })

  it('is undefined when one is built from an sdist: a build need not give the same files', () => {
    const sdist = {
      ...item('alpha', '1.0', 'aa'),
      download_info: {
        url: 'https://files.example/alpha-1.0.tar.gz#sha256=aa',
        archive_info: { hashes: { sha256: 'aa' } }
      }
    }
    expect(heldFromReport(JSON.stringify({ install: [sdist] }))).toBeUndefined()
  })

  it('is undefined when one was named by its URL or path (is_direct)', () => {
    const json = JSON.stringify({ install: [item('pip', '26.2.1', 'aa', { is_direct: true })] })
    expect(heldFromReport(json)).toBeUndefined()
  })
})

describe('sameDists', () => {
  const a = [
    { name: 'pip', version: '26.2.1', sha256: 'aa', requested: true },
    { name: 'Setup_Tools', version: '84.0.0', sha256: 'bb', requested: false }
  ]
  it('ignores order and the spelling of names', () => {
    expect(sameDists(a, [{ ...a[1], name: 'setup-tools' }, a[0]])).toBe(true)
  })
  it('tells apart another version, another file of the same version, a request, and one more or less', () => {
    expect(sameDists(a, [a[0], { ...a[1], version: '84.0.1' }])).toBe(false)
    expect(sameDists(a, [a[0], { ...a[1], sha256: 'cc' }])).toBe(false)
    expect(sameDists(a, [a[0]])).toBe(false)
    expect(sameDists(a, [a[0], { ...a[1], requested: true }])).toBe(false)
    expect(
      sameDists(a, [...a, { name: 'packaging', version: '26.3', sha256: 'dd', requested: false }])
    ).toBe(false)
  })
})

describe('seedKey and seedStore', () => {
  it('differs with the interpreter and with the upgrade command line', () => {
    const key = seedKey(['/py', '3.12.1'], ['install', 'pip'])
    expect(key).toMatch(/^[0-9a-f]{32}$/)
    expect(seedKey(['/py', '3.12.2'], ['install', 'pip'])).not.toBe(key)
    expect(seedKey(['/py', '3.12.1'], ['install', '--pre', 'pip'])).not.toBe(key)
  })
  it('lives in the tool cache, and nowhere without one', () => {
    expect(seedStore({ RUNNER_TOOL_CACHE: '/opt/hostedtoolcache' })).toBe(
      path.join('/opt/hostedtoolcache', 'venv-guard-tools')
    )
    expect(seedStore({})).toBeUndefined()
  })
})

let root: string
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-seed-'))
})
afterEach(() => fs.rmSync(root, { recursive: true, force: true }))

function write(file: string, text: string, mode?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text, mode === undefined ? undefined : { mode })
}

/** A venv with pip installed as pip would: package, dist-info with RECORD, one script. */
function venvWithPip(venv: string): SeedTarget {
  const sitePackages = path.join(venv, 'lib', 'python3.12', 'site-packages')
  const bin = path.join(venv, 'bin')
  const python = path.join(bin, 'python')
  write(path.join(sitePackages, 'pip', '__init__.py'), '')
  write(path.join(sitePackages, 'pip', '__pycache__', '__init__.cpython-312.pyc'), 'pyc')
  write(path.join(bin, 'pip'), `#!${python}\nimport pip\n`, 0o755)
  write(
    path.join(sitePackages, 'pip-26.2.1.dist-info', 'RECORD'),
    [
      '../../../bin/pip,sha256=old,20',
      'pip/__init__.py,sha256=x,0',
      'pip/__pycache__/__init__.cpython-312.pyc,,',
      'pip-26.2.1.dist-info/RECORD,,',
      ''
    ].join('\n')
  )
  return { python, sitePackages, bin }
}

const PIP = [{ name: 'pip', version: '26.2.1', sha256: 'aa', requested: true }]

describe('seedContent', () => {
  it('holds the top-level entries and the scripts the RECORDs name', () => {
    const target = venvWithPip(path.join(root, 'venv'))
    expect(seedContent(target.sitePackages, target, PIP)).toEqual({
      entries: ['pip', 'pip-26.2.1.dist-info'],
      scripts: ['../../../bin/pip']
    })
  })

  it('refuses a file outside site-packages that is not a script, and an entry another dist shares', () => {
    const target = venvWithPip(path.join(root, 'venv'))
    const record = path.join(target.sitePackages, 'pip-26.2.1.dist-info', 'RECORD')
    fs.appendFileSync(record, '../../../share/man/pip.1,,\n')
    expect(seedContent(target.sitePackages, target, PIP)).toBeUndefined()

    const other = venvWithPip(path.join(root, 'other'))
    write(path.join(other.sitePackages, 'extra-1.0.dist-info', 'RECORD'), 'pip/extra.py,,\n')
    expect(seedContent(other.sitePackages, other, PIP)).toBeUndefined()
  })

  it('is undefined when a distribution is not installed at the version named', () => {
    const target = venvWithPip(path.join(root, 'venv'))
    expect(
      seedContent(target.sitePackages, target, [{ ...PIP[0], version: '26.2' }])
    ).toBeUndefined()
  })
})

describe('saveSeed, readSeed and plantSeed', () => {
  it('keeps a venv’s tools and plants them into another venv, its script and RECORD made for it', async () => {
    const from = venvWithPip(path.join(root, 'first'))
    const store = path.join(root, 'store', 'key')
    expect(await saveSeed(store, from, PIP)).toBe(true)
    const record = readSeed(store)
    expect(record).toMatchObject({ python: from.python, dists: PIP })

    const to: SeedTarget = {
      python: path.join(root, 'second', 'bin', 'python'),
      sitePackages: path.join(root, 'second', 'lib', 'python3.12', 'site-packages'),
      bin: path.join(root, 'second', 'bin')
    }
    fs.mkdirSync(to.sitePackages, { recursive: true })
    fs.mkdirSync(to.bin, { recursive: true })
    expect(await plantSeed(store, record!, to)).toBe(true)

    const script = fs.readFileSync(path.join(to.bin, 'pip'))
    expect(script.toString()).toBe(`#!${to.python}\nimport pip\n`)
    expect(fs.statSync(path.join(to.bin, 'pip')).mode & 0o111).not.toBe(0)
    const hash = `sha256=${createHash('sha256').update(script).digest('base64url')}`
    const lines = fs
      .readFileSync(path.join(to.sitePackages, 'pip-26.2.1.dist-info', 'RECORD'), 'utf8')
      .split('\n')
    expect(lines[0]).toBe(`../../../bin/pip,${hash},${script.length}`)
    expect(lines.slice(1)).toEqual([
      'pip/__init__.py,sha256=x,0',
      'pip/__pycache__/__init__.cpython-312.pyc,,',
      'pip-26.2.1.dist-info/RECORD,,',
      ''
    ])
    // The bytecode keeps its source's modification time, or Python would not trust it.
    const pyc = path.join('pip', '__pycache__', '__init__.cpython-312.pyc')
    expect(fs.statSync(path.join(to.sitePackages, pyc)).mtimeMs).toBe(
      fs.statSync(path.join(from.sitePackages, pyc)).mtimeMs
    )
  })

  it('replaces an older seed whole', async () => {
    const from = venvWithPip(path.join(root, 'first'))
    const store = path.join(root, 'store', 'key')
    write(path.join(store, 'site-packages', 'stale', 'x.py'), '')
    expect(await saveSeed(store, from, PIP)).toBe(true)
    expect(fs.readdirSync(path.join(store, 'site-packages')).sort()).toEqual([
      'pip',
      'pip-26.2.1.dist-info'
    ])
    expect(fs.readdirSync(path.dirname(store))).toEqual(['key'])
  })

  it('refuses a seed record that is not its own or that points outside the venv', () => {
    const store = path.join(root, 'store')
    const good = {
      format: 2,
      python: '/v/bin/python',
      dists: [],
      entries: ['pip'],
      scripts: ['../../../bin/pip']
    }
    for (const [record, ok] of [
      [good, true],
      [{ ...good, format: 1 }, false],
      [{ ...good, entries: ['/etc'] }, false],
      [{ ...good, entries: ['pip/../../..'] }, false],
      [{ ...good, entries: ['../../../x.dist-info'] }, false],
      [{ ...good, entries: ['..'] }, false],
      [{ ...good, entries: ['pip/sub'] }, false],
      [{ ...good, scripts: ['../../../bin/../../x'] }, false],
      [{ ...good, entries: [''] }, false],
      [{ ...good, dists: 'pip' }, false]
    ] as const) {
      write(path.join(store, 'seed.json'), JSON.stringify(record))
      expect(readSeed(store) !== undefined, JSON.stringify(record)).toBe(ok)
    }
    write(path.join(store, 'seed.json'), '{not json')
    expect(readSeed(store)).toBeUndefined()
    expect(readSeed(path.join(root, 'none'))).toBeUndefined()
  })

  it('does not plant a seed whose script names another interpreter than the record', async () => {
    const from = venvWithPip(path.join(root, 'first'))
    const store = path.join(root, 'store', 'key')
    await saveSeed(store, from, PIP)
    fs.writeFileSync(path.join(store, 'bin', 'pip'), '#!/usr/bin/env python\n')
    const to = venvWithPip(path.join(root, 'second'))
    expect(await plantSeed(store, readSeed(store)!, to)).toBe(false)
  })
})
