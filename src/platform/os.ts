import * as fs from 'node:fs'
import * as nodeOs from 'node:os'
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

/** The separator of PATH-like variables. */
export function searchPathDelimiter(os: OsName = currentOs()): string {
  return os === 'win32' ? ';' : ':'
}

/** Whether two paths name the same place: case-insensitive on Windows and macOS' default disks. */
export function samePath(a: string, b: string, os: OsName = currentOs()): boolean {
  const p = pathFor(os)
  const [x, y] = [p.resolve(a), p.resolve(b)]
  return os === 'linux' ? x === y : x.toLowerCase() === y.toLowerCase()
}

/** Where a base installation keeps its interpreter: `bin/` on POSIX, the prefix itself on Windows. */
export function prefixBinDir(prefix: string, os: OsName = currentOs()): string {
  return os === 'win32' ? prefix : pathFor(os).join(prefix, 'bin')
}

/** Directories of pip/setuptools wheels a distribution ships for its Pythons (Debian's python3-*-whl). */
export function systemWheelDirs(os: OsName = currentOs()): string[] {
  return os === 'linux' ? ['/usr/share/python-wheels'] : []
}

/**
 * The tar that reads and writes the cache-dir archives. On Windows, the system's bsdtar: a GNU tar
 * from Git earlier on PATH takes `C:\...` for a remote host.
 */
export function tarCommand(os: OsName = currentOs(), env: NodeJS.ProcessEnv = process.env): string {
  if (os !== 'win32') return 'tar'
  return path.win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32', 'tar.exe')
}

/**
 * Whether a cache-dir archive is written in parts (cache/parts.ts): its tars read their file lists
 * with `-T`, which Windows' tar.exe may read in the ANSI code page, losing non-ASCII names; there
 * the archive is made by one tar that walks the directory itself.
 */
export function savesArchivesInParts(os: OsName = currentOs()): boolean {
  return os !== 'win32'
}

/**
 * A program that writes bytes `start` to `end` (exclusive) of the file it is given as its stdin
 * to its stdout, for a tar to read a part of a cache-dir archive in place, or undefined where there
 * is none to count on: GNU's and BusyBox's dd take byte offsets (`iflag=skip_bytes,count_bytes`),
 * macOS's counts in blocks, and Windows saves no parts. It opens its stdin anew through /proc, for
 * an offset of its own: the readers of one archive run side by side.
 */
export function rangeReader(
  range: { start: number; end: number },
  os: OsName = currentOs()
): { command: string; args: string[] } | undefined {
  if (os !== 'linux') return undefined
  const bytes = [
    'iflag=skip_bytes,count_bytes',
    `skip=${range.start}`,
    `count=${range.end - range.start}`
  ]
  return { command: 'dd', args: ['if=/proc/self/fd/0', 'bs=128K', ...bytes, 'status=none'] }
}

/** A search path (`a:b`, `a;b` on Windows) with `entry` first and no duplicate of it. */
export function prependSearchPath(
  entry: string,
  current: string | undefined,
  os: OsName = currentOs()
): string {
  const delimiter = searchPathDelimiter(os)
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

/**
 * How PyPy's versions.json names this runner's archives and how they unpack: zips for `win64` (older
 * releases: `win32`), tar.bz2 elsewhere; Linux's arm64 is `aarch64` there, its x86 `i686`.
 */
export function pypyPlatform(
  os: OsName = currentOs(),
  nodeArch: string = process.arch
): { platforms: string[]; arch: string; archive: 'zip' | 'tar' } {
  const arch = toolCacheArch(nodeArch)
  if (os === 'win32') return { platforms: ['win64', 'win32'], arch, archive: 'zip' }
  const linuxArch = ({ arm64: 'aarch64', x86: 'i686' } as Record<string, string>)[arch]
  return { platforms: [os], arch: (os === 'linux' && linuxArch) || arch, archive: 'tar' }
}

/** What setup-python links to PyPy's `pypy3` (prefixBinDir), so `python` and `python3` start it. */
export function pypyAliases(
  minor: string,
  os: OsName = currentOs()
): { target: string; links: string[] } {
  const ext = os === 'win32' ? '.exe' : ''
  return { target: `pypy3${ext}`, links: [`python3${ext}`, `python${ext}`, `pypy${minor}${ext}`] }
}

/** A path with its links resolved, for telling whether two paths are one file; as given when it is gone. */
export function realPath(file: string): string {
  try {
    return fs.realpathSync(file)
  } catch {
    return path.resolve(file)
  }
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

/**
 * Whether pip writes a script's first line as plain `#!<python>`, which a copied script can be
 * re-pointed at by rewriting that line: distlib's rule, no space and at most 127 bytes in all (512
 * on macOS). Windows' scripts are .exe launchers, never re-pointed.
 */
export function plainShebang(python: string, os: OsName = currentOs()): boolean {
  if (os === 'win32') return false
  const limit = os === 'darwin' ? 512 : 127
  return !python.includes(' ') && Buffer.byteLength(python) + 3 <= limit
}

/**
 * Copies files and directories into a directory as they are, modification times included (a
 * copied .pyc stays valid only beside a source as old as it says): POSIX `cp -pR`, one process
 * for all, several times faster than Node's recursive copy of a few thousand files.
 */
export function copyIntoCommand(
  sources: string[],
  dir: string
): { command: string; args: string[] } {
  return { command: 'cp', args: ['-pR', ...sources, dir] }
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
 * The site-packages directories a venv has, found rather than computed, so that any
 * interpreter's layout is covered: `Lib\site-packages` on Windows, `lib/<python>/site-packages`
 * elsewhere (never through a link: `lib64` leads to `lib`).
 */
export function venvSitePackagesFound(venv: string, os: OsName = currentOs()): string[] {
  const p = pathFor(os)
  if (os === 'win32') return [p.join(venv, 'Lib', 'site-packages')]
  try {
    return fs
      .readdirSync(p.join(venv, 'lib'), { withFileTypes: true })
      .filter(entry => entry.isDirectory())
      .map(entry => p.join(venv, 'lib', entry.name, 'site-packages'))
      .sort()
  } catch {
    return []
  }
}

/**
 * The encoding pip reads a requirements file in when it has no BOM and no coding comment:
 * Python's locale encoding, UTF-8 on Linux and macOS runners, the ANSI code page on Windows.
 */
export function localeEncoding(os: OsName = currentOs()): string {
  return os === 'win32' ? 'windows-1252' : 'utf-8'
}

/**
 * The operating system's release as it goes into a cache key: a venv's compiled extensions and
 * its interpreter's shared libraries belong to it. Linux: distribution and version from
 * /etc/os-release (`ubuntu-24.04`); macOS: the Darwin major version, which changes with each
 * macOS major release; Windows: the build number, which tells Server 2022 from 2025.
 */
export function osVersion(
  os: OsName,
  osRelease: string | undefined,
  kernelRelease: string
): string {
  let version: string
  if (os === 'linux') {
    const field = (name: string): string =>
      new RegExp(`^${name}=["']?([^"'\\n]*)`, 'm').exec(osRelease ?? '')?.[1] ?? ''
    const id = field('ID')
    version = id ? `${id}-${field('VERSION_ID') || field('BUILD_ID') || 'rolling'}` : kernelRelease
  } else if (os === 'darwin') {
    version = `darwin${kernelRelease.split('.')[0]}`
  } else {
    version = `windows-${kernelRelease}`
  }
  return version.replace(/[^A-Za-z0-9._-]+/g, '_')
}

/** This machine's osVersion(). */
export function currentOsVersion(): string {
  const os = currentOs()
  let osRelease: string | undefined
  for (const file of os === 'linux' ? ['/etc/os-release', '/usr/lib/os-release'] : []) {
    try {
      osRelease = fs.readFileSync(file, 'utf8')
      break
    } catch {
      // the next candidate
    }
  }
  return osVersion(os, osRelease, nodeOs.release())
}

/**
 * pip's cache directory as pip itself chooses it (PIP_CACHE_DIR, else the platform's user cache
 * directory), or undefined when PIP_NO_CACHE_DIR turns the cache off.
 */
export function pipCacheDir(
  env: NodeJS.ProcessEnv,
  home: string,
  os: OsName = currentOs()
): string | undefined {
  if (env.PIP_NO_CACHE_DIR) return undefined
  if (env.PIP_CACHE_DIR) return env.PIP_CACHE_DIR
  const p = pathFor(os)
  if (os === 'win32')
    return p.join(env.LOCALAPPDATA || p.join(home, 'AppData', 'Local'), 'pip', 'Cache')
  if (os === 'darwin') return p.join(home, 'Library', 'Caches', 'pip')
  return p.join(env.XDG_CACHE_HOME || p.join(home, '.cache'), 'pip')
}

/**
 * The configuration files pip reads, as pip finds them (global, user, PIP_CONFIG_FILE), whether
 * they exist or not; none when PIP_CONFIG_FILE is the null device, which turns them all off.
 */
export function pipConfigFiles(
  env: NodeJS.ProcessEnv,
  home: string,
  os: OsName = currentOs()
): string[] {
  const p = pathFor(os)
  const own = env.PIP_CONFIG_FILE ? [env.PIP_CONFIG_FILE] : []
  if (env.PIP_CONFIG_FILE === (os === 'win32' ? 'nul' : '/dev/null')) return []
  if (os === 'win32') {
    return [
      p.join(env.PROGRAMDATA || 'C:\\ProgramData', 'pip', 'pip.ini'),
      p.join(home, 'pip', 'pip.ini'),
      p.join(env.APPDATA || p.join(home, 'AppData', 'Roaming'), 'pip', 'pip.ini'),
      ...own
    ]
  }
  const user = [p.join(home, '.pip', 'pip.conf'), p.join(home, '.config', 'pip', 'pip.conf')]
  if (os === 'darwin') {
    return [
      '/Library/Application Support/pip/pip.conf',
      ...user,
      p.join(home, 'Library', 'Application Support', 'pip', 'pip.conf'),
      ...own
    ]
  }
  const configDirs = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':').filter(d => d !== '')
  return [
    ...configDirs.map(d => p.join(d, 'pip', 'pip.conf')),
    '/etc/pip.conf',
    ...user,
    ...(env.XDG_CONFIG_HOME ? [p.join(env.XDG_CONFIG_HOME, 'pip', 'pip.conf')] : []),
    ...own
  ]
}

/** The file name of a program on PATH (`zstd.exe` on Windows). */
export function executableName(name: string, os: OsName = currentOs()): string {
  return os === 'win32' ? `${name}.exe` : name
}

export function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

/** The files named `names` in PATH's directories that pass `isExecutable`, each name in PATH order. */
export function executablesOnPath(
  pathVar: string,
  names: string[],
  os: OsName = currentOs(),
  isExecutable: (file: string) => boolean = isExecutableFile
): string[] {
  const dirs = pathVar.split(searchPathDelimiter(os)).filter(d => d !== '')
  return names.flatMap(name => dirs.map(dir => path.join(dir, name)).filter(isExecutable))
}

/** Whether a child gets a process group of its own, so that it can be stopped with what it starts. */
export function ownProcessGroup(os: OsName = currentOs()): boolean {
  return os !== 'win32'
}

/**
 * How a child is stopped with everything it started: on POSIX the signal goes to its process group
 * (see ownProcessGroup); Windows has no such groups, and `taskkill /T /F` ends the process tree.
 */
export function treeStop(
  pid: number,
  signal: NodeJS.Signals,
  os: OsName = currentOs()
):
  | { kind: 'group'; pid: number; signal: NodeJS.Signals }
  | { kind: 'command'; command: string; args: string[] } {
  return os === 'win32'
    ? { kind: 'command', command: 'taskkill', args: ['/pid', String(pid), '/T', '/F'] }
    : { kind: 'group', pid: -pid, signal }
}
