import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

/**
 * The CPython interpreters the tests run, found wherever this machine keeps them, so that the
 * suite runs on a developer's pyenv machine and on a hosted runner that actions/setup-python filled
 * alike. Looked for, first found first: the variable VG_TEST_PYTHONS (executables separated by the
 * path delimiter), pyenv's versions, the tool cache (RUNNER_TOOL_CACHE, AGENT_TOOLSDIRECTORY) and
 * `python3.X` on PATH. Nothing here throws while a file is collected: a test that needs a missing
 * interpreter is skipped (`lacks`), and global-setup.ts prints one line saying which and why.
 */

/** Every minor version the action supports, and so the tests cover. */
export const MINORS = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13'] as const
export type Minor = (typeof MINORS)[number]

export interface TestPython {
  /** The full version, e.g. 3.12.1. */
  version: string
  executable: string
  /** Where it was found, for labels. */
  foundBy: string
  /**
   * The installation's own directory (bin/, lib/) when it is one interpreter's alone, as pyenv's
   * and the tool cache's are; undefined for a system interpreter, whose prefix is /usr.
   */
  prefix?: string
}

/** Debian/Ubuntu's own interpreter (PEP 668, externally managed), where the machine has one. */
export const SYSTEM_PYTHON = '/usr/bin/python3'

const FULL_VERSION = /^(\d+\.\d+)\.\d+$/

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir)
  } catch {
    return []
  }
}

/** Prefixes that hold more than one interpreter's files: never copied as an installation. */
const SHARED_PREFIXES = new Set(['/', '/usr', '/usr/local'])

/**
 * What an interpreter says of itself, or nothing when it does not run. Its own sys.executable is
 * kept: a launcher on PATH (another pyenv's shim) is not the interpreter the action would record.
 */
function probe(command: string, foundBy: string): TestPython[] {
  try {
    const [version, executable, prefix] = execFileSync(
      command,
      [
        '-I',
        '-c',
        'import sys; print("%d.%d.%d" % sys.version_info[:3]); print(sys.executable); print(sys.prefix)'
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 }
    )
      .trim()
      .split('\n')
    return [
      { version, executable, foundBy, prefix: SHARED_PREFIXES.has(prefix) ? undefined : prefix }
    ]
  } catch {
    return []
  }
}

function pyenvRoot(): string {
  return process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv')
}

function fromVariable(): TestPython[] {
  return (process.env.VG_TEST_PYTHONS ?? '')
    .split(path.delimiter)
    .filter(file => file !== '')
    .flatMap(executable => probe(executable, 'VG_TEST_PYTHONS'))
}

function fromPyenv(): TestPython[] {
  const root = path.join(pyenvRoot(), 'versions')
  return listDir(root)
    .filter(dir => FULL_VERSION.test(dir))
    .map(version => ({
      version,
      executable: path.join(root, version, 'bin', 'python3'),
      foundBy: 'pyenv',
      prefix: path.join(root, version)
    }))
    .filter(p => fs.existsSync(p.executable))
}

/** actions/setup-python's layout: <cache>/Python/<X.Y.Z>/<arch>/bin/python3 beside <arch>.complete. */
function fromToolCache(): TestPython[] {
  const arch = os.arch()
  const caches = [process.env.AGENT_TOOLSDIRECTORY, process.env.RUNNER_TOOL_CACHE]
  return caches
    .filter((dir): dir is string => !!dir)
    .flatMap(cache => {
      const root = path.join(cache, 'Python')
      return listDir(root)
        .filter(
          dir => FULL_VERSION.test(dir) && fs.existsSync(path.join(root, dir, `${arch}.complete`))
        )
        .map(version => ({
          version,
          executable: path.join(root, version, arch, 'bin', 'python3'),
          foundBy: 'tool cache',
          prefix: path.join(root, version, arch)
        }))
    })
    .filter(p => fs.existsSync(p.executable))
}

/** `python3.X` on PATH, but not pyenv's shims: they only dispatch to the versions seen above. */
function fromPath(minor: string): TestPython[] {
  const shims = path.join(pyenvRoot(), 'shims')
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(dir => dir !== '' && path.resolve(dir) !== path.resolve(shims))
    .map(dir => path.join(dir, `python${minor}`))
    .filter(file => fs.existsSync(file))
    .flatMap(executable => probe(executable, 'PATH'))
}

const found = new Map<string, TestPython | undefined>()
let listed: TestPython[] | undefined

/** The interpreter of a minor version (e.g. '3.12'), or undefined when the machine has none. */
export function findPython(minor: Minor): TestPython | undefined {
  if (!found.has(minor)) {
    listed ??= [...fromVariable(), ...fromPyenv(), ...fromToolCache()]
    const ofMinor = (p: TestPython) => FULL_VERSION.exec(p.version)?.[1] === minor
    found.set(minor, listed.find(ofMinor) ?? fromPath(minor).find(ofMinor))
  }
  return found.get(minor)
}

/** Whether any of these interpreters is missing: the condition for `describe.skipIf`/`it.skipIf`. */
export function lacks(...minors: Minor[]): boolean {
  return minors.some(minor => !findPython(minor))
}

/** Whether one of these is missing or is not an installation of its own (see `prefix`). */
export function lacksInstallation(...minors: Minor[]): boolean {
  return minors.some(minor => !findPython(minor)?.prefix)
}

/** The interpreter of a minor version, inside a test that `lacks` skips when it is missing. */
export function pythonOf(minor: Minor): TestPython {
  const found = findPython(minor)
  if (!found) throw new Error(`no Python ${minor}: skip this test with lacks('${minor}')`)
  return found
}

/** The installation of a minor version, inside a test that `lacksInstallation` skips. */
export function installationOf(minor: Minor): TestPython & { prefix: string } {
  const { prefix, ...found } = pythonOf(minor)
  if (!prefix) throw new Error(`Python ${minor} is not an installation of its own`)
  return { ...found, prefix }
}

/** Whether Debian/Ubuntu's python3 with pip is here (the PEP 668 tests need it). */
export function hasSystemPython(): boolean {
  try {
    execFileSync(SYSTEM_PYTHON, ['-m', 'pip', '--version'], { stdio: 'ignore', timeout: 30_000 })
    return true
  } catch {
    return false
  }
}

/** A PyPy 3 of this machine: what the PyPy download test packs into an archive of PyPy's layout. */
export interface TestPyPy {
  executable: string
  /** `3.9` and `3.9.16`: the Python it implements. */
  minor: string
  pythonVersion: string
  /** `7.3.11`. */
  pypyVersion: string
  /** The directory of its standard library (`lib/pypy3.9` in PyPy's own archives). */
  stdlib: string
  /** libpypy3.9-c.so, which PyPy's archives keep beside the executable. */
  library: string
}

let pypy: TestPyPy | undefined | null = null

/** VG_TEST_PYPY, else `pypy3` on PATH (Debian's and Ubuntu's pypy3 package), on Linux. */
export function findPyPy(): TestPyPy | undefined {
  if (pypy !== null) return pypy
  pypy = undefined
  const command = process.env.VG_TEST_PYPY || 'pypy3'
  if (process.platform !== 'linux') return pypy
  try {
    const [executable, minor, pythonVersion, pypyVersion, stdlib] = execFileSync(
      command,
      [
        '-I',
        '-c',
        'import sys, sysconfig; v = sys.pypy_version_info; print(sys.executable); print("%d.%d" % sys.version_info[:2]); print("%d.%d.%d" % sys.version_info[:3]); print("%d.%d.%d" % v[:3]); print(sysconfig.get_paths()["stdlib"])'
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 }
    )
      .trim()
      .split('\n')
    const real = fs.realpathSync(executable)
    const library = /^\s*(libpypy\S*-c\.so) => (\S+)/m.exec(
      execFileSync('ldd', [real], { encoding: 'utf8' })
    )?.[2]
    if (library) pypy = { executable: real, minor, pythonVersion, pypyVersion, stdlib, library }
  } catch {
    // no PyPy here
  }
  return pypy
}

/** What the machine lacks of the interpreters above, and where it looked: for global-setup.ts. */
export function missingPythons(): string | undefined {
  const missing = MINORS.filter(minor => !findPython(minor)).map(minor => `Python ${minor}`)
  const shared = MINORS.filter(minor => findPython(minor) && lacksInstallation(minor))
  if (shared.length > 0)
    missing.push(`an installation of its own of Python ${shared.join(', ')} (to copy)`)
  if (!hasSystemPython()) missing.push(`${SYSTEM_PYTHON} with pip`)
  if (findPython('3.12') && findPython('3.12')?.foundBy !== 'pyenv')
    missing.push("pyenv's Python 3.12 (npm run example copies it for create-venv=false)")
  if (!findPyPy()) missing.push('a PyPy 3 on Linux (VG_TEST_PYPY, or pypy3 on PATH)')
  if (missing.length === 0) return undefined
  return (
    `${missing.join(', ')} (looked in VG_TEST_PYTHONS, ${path.join(pyenvRoot(), 'versions')}, ` +
    `the tool cache and PATH)`
  )
}

/**
 * The bin directories of the installations found above, which the action must see too: a runner
 * step finds them on PATH (setup-python adds them), so hermeticEnv appends any PATH lacks, and
 * withoutTestPythons takes them away again.
 */
export function installationDirs(): string[] {
  return MINORS.flatMap(minor => {
    const found = findPython(minor)
    return found?.prefix ? [path.dirname(found.executable)] : []
  })
}
