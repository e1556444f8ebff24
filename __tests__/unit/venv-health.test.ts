import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { archiveCandidates } from '../../src/cache/archive.js'
import {
  checkedDigest,
  markerProblems,
  probeProblems,
  pyvenvProblems,
  scriptInterpreter,
  scriptProblems
} from '../../src/venv/health.js'

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'vg-health-'))

describe('scriptInterpreter', () => {
  it('reads a shebang', () => {
    expect(scriptInterpreter('#!/w/.venv/bin/python\nimport x\n')).toBe('/w/.venv/bin/python')
    expect(scriptInterpreter('#!/usr/bin/env python3\n')).toBe('/usr/bin/env')
    expect(scriptInterpreter('#!/bin/bash -e\n')).toBe('/bin/bash')
  })
  it("reads pip's /bin/sh trampoline for long paths and paths with spaces", () => {
    expect(scriptInterpreter(`#!/bin/sh\n'''exec' /long/.venv/bin/python "$0" "$@"\n' '''\n`)).toBe(
      '/long/.venv/bin/python'
    )
    expect(
      scriptInterpreter(`#!/bin/sh\n'''exec' "/my dir/.venv/bin/python" "$0" "$@"\n' '''\n`)
    ).toBe('/my dir/.venv/bin/python')
    expect(scriptInterpreter('#!/bin/sh\necho hi\n')).toBe('/bin/sh')
  })
  it('ignores files that are not scripts', () => {
    expect(scriptInterpreter('\x7fELF...')).toBeUndefined()
    expect(scriptInterpreter('# activate this\n')).toBeUndefined()
  })
})

describe('scriptProblems', () => {
  it("accepts the venv's own scripts and other programs' shebangs, and names the rest", () => {
    const venv = path.join(tmp(), '.venv')
    const bin = path.join(venv, 'bin')
    fs.mkdirSync(bin, { recursive: true })
    fs.writeFileSync(path.join(bin, 'good'), `#!${bin}/python\n`)
    fs.writeFileSync(path.join(bin, 'long'), `#!/bin/sh\n'''exec' "${bin}/python" "$0" "$@"\n`)
    fs.writeFileSync(path.join(bin, 'shell'), '#!/bin/bash\n')
    fs.writeFileSync(path.join(bin, 'activate'), '# source me\n')
    fs.writeFileSync(path.join(bin, 'stale'), '#!/old/place/.venv/bin/python3.12\n')
    fs.symlinkSync('/nowhere/python3', path.join(bin, 'python'))
    expect(scriptProblems(venv, 'linux').sort()).toEqual([
      'python links to /nowhere/python3, which does not exist',
      'stale starts /old/place/.venv/bin/python3.12, outside the venv'
    ])
  })
  it('names a missing bin directory, and leaves Windows launchers alone', () => {
    expect(scriptProblems(tmp(), 'linux')).toEqual(['it has no bin directory'])
    expect(scriptProblems(tmp(), 'win32')).toEqual([])
  })
})

describe('markerProblems', () => {
  const marker = { format: 1, created: true, complete: true, python: '/p', fingerprint: 'f' }
  it('accepts a complete marker of venv-guard with the same fingerprint', () => {
    expect(markerProblems(marker, 'f')).toEqual([])
  })
  it('names what is off', () => {
    expect(markerProblems(undefined, 'f')).toEqual(['it has no venv-guard marker'])
    expect(markerProblems({ ...marker, created: false, complete: false }, 'g')).toEqual([
      'its marker says venv-guard did not create it',
      'its marker says the install did not finish',
      'its marker names other requirements'
    ])
  })
})

describe('pyvenvProblems', () => {
  const root = tmp()
  const home = path.join(root, 'bin')
  fs.mkdirSync(home)
  const executable = path.join(home, 'python3.12')
  fs.writeFileSync(executable, '')
  const python = { executable, versionText: '3.12.1', basePrefix: root }
  it('accepts a pyvenv.cfg of the interpreter in use', () => {
    expect(pyvenvProblems({ home, version: '3.12.1', executable }, python)).toEqual([])
    expect(pyvenvProblems({ home, version: '3.12.1' }, python)).toEqual([])
  })
  it('names another interpreter, and one that is gone', () => {
    expect(pyvenvProblems({ home: '/elsewhere/bin', version: '3.12.1' }, python)).toEqual([
      `its pyvenv.cfg names 3.12.1 from /elsewhere/bin, not 3.12.1 from ${home}`
    ])
    expect(
      pyvenvProblems({ home, version: '3.12.1', executable: '/moved/python3.12' }, python)
    ).toEqual(['its pyvenv.cfg names the interpreter /moved/python3.12, which no longer exists'])
  })
})

describe('checkedDigest', () => {
  it("follows what pip check judges: the interpreter and each distribution's headers, not the rest", () => {
    const venv = tmp()
    const site = path.join(venv, 'lib', 'python3.12', 'site-packages')
    const metadata = (name: string, headers: string, body = 'A description.\n') => {
      fs.mkdirSync(path.join(site, `${name}.dist-info`), { recursive: true })
      fs.writeFileSync(path.join(site, `${name}.dist-info`, 'METADATA'), `${headers}\n\n${body}`)
    }
    metadata('alpha-1.0', 'Name: alpha\nVersion: 1.0\nRequires-Dist: beta>=1')
    metadata('beta-1.0', 'Name: beta\nVersion: 1.0')
    metadata('pip-26.0', 'Name: pip\nVersion: 26.0')
    fs.symlinkSync('lib', path.join(venv, 'lib64'))
    const python = { executable: process.execPath, versionText: '3.12.1', basePrefix: '/p' }
    const before = checkedDigest(venv, python)

    fs.writeFileSync(path.join(site, 'alpha.py'), 'X = 1\n')
    metadata('beta-1.0', 'Name: beta\nVersion: 1.0', 'Another description.\n')
    expect(checkedDigest(venv, python)).toBe(before)

    expect(checkedDigest(venv, { ...python, versionText: '3.12.2' })).not.toBe(before)
    metadata('alpha-1.0', 'Name: alpha\nVersion: 1.0\nRequires-Dist: beta>=2')
    expect(checkedDigest(venv, python)).not.toBe(before)
    metadata('alpha-1.0', 'Name: alpha\nVersion: 1.0\nRequires-Dist: beta>=1')
    expect(checkedDigest(venv, python)).toBe(before)
    fs.rmSync(path.join(site, 'beta-1.0.dist-info'), { recursive: true })
    expect(checkedDigest(venv, python)).not.toBe(before)

    // What only the python check can judge: no digest, so it runs.
    fs.mkdirSync(path.join(site, 'gamma-1.0.dist-info'))
    expect(checkedDigest(venv, python)).toBeUndefined()
    metadata('gamma-1.0', 'Version: 1.0')
    expect(checkedDigest(venv, python)).toBeUndefined()
    fs.rmSync(path.join(site, 'gamma-1.0.dist-info'), { recursive: true })
    fs.rmSync(path.join(site, 'pip-26.0.dist-info'), { recursive: true })
    expect(checkedDigest(venv, python)).toBeUndefined()
  })

  it.skipIf(process.platform === 'win32')(
    'reads no METADATA that is not a regular file (a link to /dev/zero)',
    () => {
      const venv = tmp()
      const info = path.join(venv, 'lib', 'python3.12', 'site-packages', 'x-1.0.dist-info')
      fs.mkdirSync(info, { recursive: true })
      fs.symlinkSync('/dev/zero', path.join(info, 'METADATA'))
      const python = { executable: process.execPath, versionText: '3.12.1', basePrefix: '/p' }
      expect(checkedDigest(venv, python)).toBeUndefined()
    }
  )
})

describe('probeProblems', () => {
  const python = { executable: '/p/bin/python3', versionText: '3.12.1', basePrefix: '/p' }
  it("accepts the venv's python reporting itself, and passes pip check's findings on", () => {
    expect(
      probeProblems(
        { prefix: '/w/.venv', version: [3, 12, 1, 'final', 0], problems: [] },
        '/w/.venv',
        python
      )
    ).toEqual([])
    expect(
      probeProblems(
        {
          prefix: '/elsewhere',
          version: [3, 12, 2, 'final', 0],
          problems: ['alpha 2.0.0 requires beta, which is not installed']
        },
        '/w/.venv',
        python
      )
    ).toEqual([
      'its python runs with the prefix /elsewhere, not the venv',
      'its python is 3.12.2, not 3.12.1',
      'pip check: alpha 2.0.0 requires beta, which is not installed'
    ])
  })
})

describe('archiveCandidates', () => {
  const files = [
    { name: 'k1.tar.gz', mtimeMs: 1e15 }, // a future time, as a file in cache-dir may have
    { name: 'k1.tar.zst', mtimeMs: 2 },
    { name: 'k1.tar', mtimeMs: 1 },
    { name: 'pip-a.tar.zst', mtimeMs: 5 },
    { name: 'pip-b.tar.gz', mtimeMs: 9 },
    { name: 'pip-d.tar', mtimeMs: 7 },
    { name: '.pip-c.123.ab.tar', mtimeMs: 99 },
    { name: 'notes.txt', mtimeMs: 100 }
  ]
  it("tries the exact key's archives first, plain, then zstd, then gzip, whatever their times", () => {
    expect(archiveCandidates(files, 'k1', [], true)).toEqual([
      { name: 'k1.tar', key: 'k1' },
      { name: 'k1.tar.zst', key: 'k1' },
      { name: 'k1.tar.gz', key: 'k1' }
    ])
    expect(archiveCandidates(files, 'k1', [], false)).toEqual([
      { name: 'k1.tar', key: 'k1' },
      { name: 'k1.tar.gz', key: 'k1' }
    ])
  })
  it('then the newest with a prefix, never a temporary file', () => {
    expect(archiveCandidates(files, 'pip-x', ['pip-'], true)).toEqual([
      { name: 'pip-b.tar.gz', key: 'pip-b' },
      { name: 'pip-d.tar', key: 'pip-d' },
      { name: 'pip-a.tar.zst', key: 'pip-a' }
    ])
    expect(archiveCandidates(files, 'k2', [], true)).toEqual([])
  })
})
