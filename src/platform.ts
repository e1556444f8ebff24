import * as path from 'node:path'

/** The operating systems GitHub runners use, in Node's spelling. */
export type OsName = 'linux' | 'darwin' | 'win32'

export function currentOs(): OsName {
  const os = process.platform
  if (os === 'win32' || os === 'darwin') return os
  return 'linux'
}

function pathFor(os: OsName): path.PlatformPath {
  return os === 'win32' ? path.win32 : path.posix
}

/** Where a venv keeps its executables: `bin/` on POSIX, `Scripts\` on Windows. */
export function venvBinDir(venv: string, os: OsName = currentOs()): string {
  return pathFor(os).join(venv, os === 'win32' ? 'Scripts' : 'bin')
}

/** The interpreter inside a venv. */
export function venvPython(venv: string, os: OsName = currentOs()): string {
  return pathFor(os).join(venvBinDir(venv, os), os === 'win32' ? 'python.exe' : 'python')
}

/**
 * The interpreter inside an installation prefix, as the tool cache and `pythonLocation` lay it out:
 * `python.exe` at the root on Windows, `bin/python3` elsewhere.
 */
export function prefixPython(prefix: string, os: OsName = currentOs()): string {
  const p = pathFor(os)
  return os === 'win32' ? p.join(prefix, 'python.exe') : p.join(prefix, 'bin', 'python3')
}

/**
 * The interpreters to try in a tool-cache installation, first found wins. PyPy's archives name it
 * `pypy3`; setup-python adds `python` beside it.
 */
export function toolCachePythons(
  prefix: string,
  implementation: 'cpython' | 'pypy',
  os: OsName = currentOs()
): string[] {
  if (implementation === 'cpython') return [prefixPython(prefix, os)]
  const p = pathFor(os)
  return os === 'win32'
    ? [p.join(prefix, 'pypy3.exe'), p.join(prefix, 'python.exe')]
    : [p.join(prefix, 'bin', 'pypy3'), p.join(prefix, 'bin', 'python')]
}

/** A search path (`a:b`, `a;b` on Windows) with `entry` first and no duplicate of it. */
export function prependSearchPath(
  entry: string,
  current: string | undefined,
  os: OsName = currentOs()
): string {
  const delimiter = os === 'win32' ? ';' : ':'
  const rest = (current ?? '').split(delimiter).filter(d => d !== '' && d !== entry)
  return [entry, ...rest].join(delimiter)
}

/**
 * The python-versions Linux builds are shared-library builds linked for /opt/hostedtoolcache: in any
 * other tool cache they start only with their lib/ on LD_LIBRARY_PATH. Other systems need nothing.
 */
export function libraryPathEnv(
  prefix: string,
  current: string | undefined,
  os: OsName = currentOs()
): Record<string, string> {
  if (os !== 'linux') return {}
  return { LD_LIBRARY_PATH: prependSearchPath(path.posix.join(prefix, 'lib'), current, os) }
}

/** pkg-config's files of a base installation (python3.pc). */
export function pkgConfigDir(prefix: string, os: OsName = currentOs()): string {
  return pathFor(os).join(prefix, 'lib', 'pkgconfig')
}

/** What setup-python puts on PATH for a base installation: its root and its scripts directory. */
export function installationPaths(prefix: string, os: OsName = currentOs()): string[] {
  // A base installation keeps its scripts where a venv does: bin/ or Scripts\.
  return [prefix, venvBinDir(prefix, os)]
}

/** How a python-versions archive is unpacked and its setup script started. */
export function archiveSetup(os: OsName = currentOs()): {
  archive: 'zip' | 'tar'
  command: string
  args: string[]
} {
  return os === 'win32'
    ? { archive: 'zip', command: 'powershell', args: ['-NoProfile', '-File', './setup.ps1'] }
    : { archive: 'tar', command: 'bash', args: ['./setup.sh'] }
}

/** Executable names to look for on PATH, most specific first. */
export function pathPythonNames(minors: string[], os: OsName = currentOs()): string[] {
  if (os === 'win32') return ['python.exe', 'python3.exe']
  return [...minors.map(m => `python${m}`), 'python3', 'python']
}

/** The tool cache's architecture directory name (setup-python's layout). */
export function toolCacheArch(nodeArch: string = process.arch): string {
  switch (nodeArch) {
    case 'x64':
      return 'x64'
    case 'ia32':
      return 'x86'
    case 'arm64':
      return 'arm64'
    case 'arm':
      return 'arm'
    default:
      return nodeArch
  }
}

/** A venv's site-packages: `Lib\site-packages` on Windows, `lib/pythonX.Y/site-packages` elsewhere. */
export function venvSitePackages(
  venv: string,
  version: { major: number; minor: number },
  implementation = 'cpython',
  freeThreaded = false,
  os: OsName = currentOs()
): string {
  const p = pathFor(os)
  if (os === 'win32') return p.join(venv, 'Lib', 'site-packages')
  const stem = implementation === 'pypy' ? 'pypy' : 'python'
  const suffix = freeThreaded ? 't' : ''
  return p.join(venv, 'lib', `${stem}${version.major}.${version.minor}${suffix}`, 'site-packages')
}

/**
 * The encoding pip reads a requirements file in when it has no BOM and no coding comment:
 * Python's locale encoding, UTF-8 on Linux and macOS runners, the ANSI code page on Windows.
 */
export function localeEncoding(os: OsName = currentOs()): string {
  return os === 'win32' ? 'windows-1252' : 'utf-8'
}
