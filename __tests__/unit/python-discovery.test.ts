import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  likelyPython,
  pyenvCandidates,
  toolCacheCandidates,
  worthProbing
} from '../../src/python/find.js'
import { parseVersionSpec } from '../../src/python/version-spec.js'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-discovery-'))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

/** Creates `files` (empty) under root/dir. */
function layout(dir: string, files: string[]): string {
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(root, dir, file)), { recursive: true })
    fs.writeFileSync(path.join(root, dir, file), '')
  }
  return path.join(root, dir)
}

describe.runIf(process.platform !== 'win32')('tool cache', () => {
  const toolCache = layout('toolcache', [
    'Python/3.12.1/x64/bin/python3',
    'Python/3.12.1/x64.complete',
    'Python/3.13.0/x64-freethreaded/bin/python3',
    'Python/3.13.0/x64-freethreaded.complete',
    'Python/3.14.0-alpha.1/x64/bin/python3',
    'Python/3.14.0-alpha.1/x64.complete',
    // Not complete: an interrupted setup.
    'Python/3.11.7/x64/bin/python3',
    // Another arch.
    'Python/3.10.13/arm64/bin/python3',
    'Python/3.10.13/arm64.complete',
    'PyPy/3.10.14/x64/bin/pypy3',
    'PyPy/3.10.14/x64/bin/python',
    'PyPy/3.10.14/x64.complete',
    'PyPy/3.9.19/x64/bin/python',
    'PyPy/3.9.19/x64.complete',
    // Complete but without an interpreter.
    'PyPy/3.8.16/x64/README',
    'PyPy/3.8.16/x64.complete'
  ])
  const candidates = toolCacheCandidates(toolCache, 'linux', 'x64', '/usr/local/lib')
  const byLocation = Object.fromEntries(
    candidates.map(c => [path.relative(toolCache, c.location!), c])
  )

  it('finds complete installations of this arch, free-threaded and PyPy ones included', () => {
    expect(Object.keys(byLocation).sort()).toEqual([
      'PyPy/3.10.14/x64',
      'PyPy/3.9.19/x64',
      'Python/3.12.1/x64',
      'Python/3.13.0/x64-freethreaded',
      'Python/3.14.0-alpha.1/x64'
    ])
  })

  it('knows the interpreter, the version its directory names and the library path it needs', () => {
    const cpython = byLocation['Python/3.12.1/x64']
    expect(cpython.command).toBe(path.join(toolCache, 'Python/3.12.1/x64/bin/python3'))
    expect(cpython.hint).toMatchObject({ major: 3, minor: 12, micro: 1 })
    expect(cpython.env).toEqual({
      LD_LIBRARY_PATH: `${path.join(toolCache, 'Python/3.12.1/x64/lib')}:/usr/local/lib`
    })
    expect(byLocation['Python/3.14.0-alpha.1/x64'].hint).toMatchObject({
      minor: 14,
      releaseLevel: 'alpha',
      serial: 1
    })
    expect(byLocation['PyPy/3.10.14/x64'].command).toBe(
      path.join(toolCache, 'PyPy/3.10.14/x64/bin/pypy3')
    )
    expect(byLocation['PyPy/3.9.19/x64'].command).toBe(
      path.join(toolCache, 'PyPy/3.9.19/x64/bin/python')
    )
  })
})

describe.runIf(process.platform !== 'win32')('pyenv', () => {
  const pyenv = layout('pyenv', [
    'versions/3.12.1/bin/python3',
    'versions/3.13.0t/bin/python3',
    'versions/pypy3.10-7.3.12/bin/pypy3',
    'versions/my-venv/bin/python3',
    'versions/miniconda3-latest/bin/python3'
  ])
  const candidates = pyenvCandidates(pyenv, 'linux')

  it('finds CPython, free-threaded and PyPy builds, not virtualenvs', () => {
    expect(candidates.map(c => c.foundBy).sort()).toEqual([
      'pyenv (3.12.1)',
      'pyenv (3.13.0t)',
      'pyenv (pypy3.10-7.3.12)'
    ])
  })

  it('hints the version where the name says it, never for PyPy', () => {
    const hints = Object.fromEntries(candidates.map(c => [c.foundBy, c.hint?.minor]))
    expect(hints).toEqual({
      'pyenv (3.12.1)': 12,
      'pyenv (3.13.0t)': 13,
      'pyenv (pypy3.10-7.3.12)': undefined
    })
  })
})

describe('worthProbing', () => {
  const onPath = (command: string) => ({ command, args: [], foundBy: `PATH (${command})` })
  const links: Record<string, string> = {
    '/bin/python3': '/usr/bin/python3.11',
    '/usr/bin/python3': '/usr/bin/python3.11',
    '/usr/local/bin/python3.12': '/usr/local/bin/python3.12',
    '/opt/py/bin/python': '/opt/py/bin/python'
  }
  const real = (file: string) => links[file] ?? file
  const candidates = [
    onPath('/usr/local/bin/python3.12'),
    onPath('/usr/bin/python3'),
    onPath('/bin/python3'),
    onPath('/opt/py/bin/python'),
    { command: 'py', args: ['-3.12'], foundBy: 'py launcher' }
  ]
  const probed = (spec: string) =>
    worthProbing(parseVersionSpec(spec, false), candidates, real).map(c => c.command)

  it('probes each file once, and not one named for a minor version the spec does not name', () => {
    expect(probed('3.12')).toEqual(['/usr/local/bin/python3.12', '/opt/py/bin/python', 'py'])
    expect(probed('3.11.7')).toEqual(['/usr/bin/python3', '/opt/py/bin/python', 'py'])
  })

  it('probes every file for a range, and for PyPy', () => {
    expect(probed('>=3.11')).toEqual([
      '/usr/local/bin/python3.12',
      '/usr/bin/python3',
      '/opt/py/bin/python',
      'py'
    ])
    expect(probed('pypy3.10')).toEqual(probed('>=3.11'))
  })
})

describe.runIf(process.platform !== 'win32')('likelyPython', () => {
  const pyenv = layout('likely-pyenv', [
    'versions/3.12.1/bin/python',
    'versions/3.11.7/bin/python',
    'versions/3.13.0rc1/bin/python'
  ])
  const request = {
    pythonPath: '',
    pythonVersion: '3.12',
    pythonVersionSource: "input 'python-version'",
    allowPrereleases: false,
    checkLatest: false,
    pythonManifestUrl: '',
    pypyManifestUrl: '',
    token: ''
  }
  const env = { PYENV_ROOT: pyenv, PATH: '' }

  it('names the only candidate worth a probe, and python-path as it is', () => {
    expect(likelyPython(request, env)).toBe(
      path.join(pyenv, 'versions', '3.12.1', 'bin', 'python3')
    )
    expect(likelyPython({ ...request, pythonPath: '/opt/py/bin/python3' }, env)).toBe(
      '/opt/py/bin/python3'
    )
  })

  it('names the highest version a location names where several are worth a probe', () => {
    expect(likelyPython({ ...request, pythonVersion: '>=3.11' }, env)).toBe(
      path.join(pyenv, 'versions', '3.12.1', 'bin', 'python3')
    )
    expect(likelyPython({ ...request, pythonVersion: '<3.12' }, env)).toBe(
      path.join(pyenv, 'versions', '3.11.7', 'bin', 'python3')
    )
    // A prerelease only where the spec allows one, as findPython chooses.
    expect(likelyPython({ ...request, pythonVersion: '>=3.11', allowPrereleases: true }, env)).toBe(
      path.join(pyenv, 'versions', '3.13.0rc1', 'bin', 'python3')
    )
  })

  it('names none where the spec does not parse', () => {
    expect(likelyPython({ ...request, pythonVersion: 'not a version' }, env)).toBeUndefined()
  })
})
