import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as core from '@actions/core'
import { ActionError, errorMessage } from '../action/errors.js'
import {
  currentOs,
  libraryPathEnv,
  pathPythonNames,
  prefixPython,
  realPath,
  samePath,
  searchPathDelimiter,
  toolCacheArch,
  toolCachePythons,
  type OsName
} from '../platform/os.js'
import { run } from '../platform/process.js'
import {
  compareVersions,
  formatVersion,
  minorsNamedBy,
  parseVersionSpec,
  parseVersionString,
  pypyVersionMatches,
  versionMatches,
  type PythonVersion,
  type VersionSpec
} from './version-spec.js'

/** What the interpreter says of itself. */
export interface PythonFacts {
  executable: string
  version: PythonVersion
  implementation: string
  /** `sys.implementation.version`: PyPy's own version (7.3.12); for CPython the same as version. */
  implementationVersion: PythonVersion
  prefix: string
  basePrefix: string
  freeThreaded: boolean
  stdlib: string
  purelib: string
  platlib: string
  /** pip importable by this interpreter (its version and package directory), found without importing it. */
  pip: { version: string; location: string } | null
}

export interface PythonInstall extends PythonFacts {
  /** Full version as text, e.g. `3.12.1`. */
  versionText: string
  /** How it was found, for the log and the summary. */
  foundBy: string
  /** The installation's root when it lives in the tool cache: the variables setup-python exports point there. */
  location?: string
}

/** A way to start an interpreter, and where it came from. */
export interface Candidate {
  command: string
  args: string[]
  foundBy: string
  /** The version its location names (tool cache and pyenv directories), used to skip probing. */
  hint?: PythonVersion
  /** Variables it needs to start: tool-cache builds are linked against the lib/ beside them. */
  env?: Record<string, string>
  location?: string
}

// One short probe answers everything: -I keeps the user's PYTHONPATH and user site out of it.
const PROBE = `import json, os, re, sys, sysconfig
from importlib.util import find_spec
v = sys.version_info
iv = sys.implementation.version
spec = find_spec("pip")
pip = None
if spec and spec.origin:
    with open(spec.origin) as f:
        m = re.search(r"__version__ = .([0-9][0-9A-Za-z.+!-]*)", f.read())
    pip = {"version": m.group(1) if m else "", "location": os.path.dirname(spec.origin)}
print(json.dumps({"executable": sys.executable, "version": [v[0], v[1], v[2], v[3], v[4]],
  "implementation": sys.implementation.name,
  "implementationVersion": [iv[0], iv[1], iv[2], iv[3], iv[4]], "prefix": sys.prefix,
  "basePrefix": getattr(sys, "base_prefix", sys.prefix),
  "freeThreaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
  "stdlib": sysconfig.get_path("stdlib"), "purelib": sysconfig.get_path("purelib"),
  "platlib": sysconfig.get_path("platlib"), "pip": pip}))`

type VersionInfo = [number, number, number, string, number]

function fromVersionInfo([major, minor, micro, releaseLevel, serial]: VersionInfo): PythonVersion {
  return { major, minor, micro, releaseLevel, serial }
}

export function parseProbe(stdout: string): PythonFacts {
  const raw = JSON.parse(stdout.trim().split(/\r?\n/).pop() ?? '') as Omit<
    PythonFacts,
    'version' | 'implementationVersion'
  > & { version: VersionInfo; implementationVersion: VersionInfo }
  return {
    ...raw,
    version: fromVersionInfo(raw.version),
    implementationVersion: fromVersionInfo(raw.implementationVersion)
  }
}

export async function probePython(candidate: Candidate): Promise<PythonInstall | undefined> {
  try {
    const result = await run(candidate.command, [...candidate.args, '-I', '-c', PROBE], {
      env: candidate.env
    })
    if (result.exitCode !== 0) return undefined
    const facts = parseProbe(result.stdout)
    return {
      ...facts,
      versionText: formatVersion(facts.version),
      foundBy: candidate.foundBy,
      location: candidate.location
    }
  } catch {
    return undefined
  }
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir)
  } catch {
    return []
  }
}

function firstExisting(files: string[]): string | undefined {
  return files.find(file => fs.existsSync(file))
}

/**
 * setup-python's layout: `$RUNNER_TOOL_CACHE/Python/<X.Y.Z>/<arch>/` beside `<arch>.complete`
 * (`<arch>-freethreaded` for free-threaded builds), and `PyPy/<X.Y.Z>/<arch>/` for PyPy.
 */
export function toolCacheCandidates(
  toolCache: string,
  osName: OsName,
  arch: string,
  ldLibraryPath?: string
): Candidate[] {
  const layouts = [
    { tool: 'Python', implementation: 'cpython', arches: [arch, `${arch}-freethreaded`] },
    { tool: 'PyPy', implementation: 'pypy', arches: [arch] }
  ] as const
  return layouts.flatMap(({ tool, implementation, arches }) => {
    const root = path.join(toolCache, tool)
    return listDir(root).flatMap(dir =>
      arches.flatMap(archDir => {
        const versionDir = path.join(root, dir)
        const prefix = path.join(versionDir, archDir)
        if (!fs.existsSync(path.join(versionDir, `${archDir}.complete`))) return []
        const command = firstExisting(toolCachePythons(prefix, implementation, osName))
        if (!command) return []
        return [
          {
            command,
            args: [],
            foundBy: `tool cache (${prefix})`,
            hint: parseVersionString(dir),
            env: libraryPathEnv(prefix, ldLibraryPath, osName),
            location: prefix
          }
        ]
      })
    )
  })
}

export function pyenvCandidates(pyenvRoot: string, osName: OsName): Candidate[] {
  const root = path.join(pyenvRoot, 'versions')
  return listDir(root).flatMap(dir => {
    const prefix = path.join(root, dir)
    // PyPy's directories (`pypy3.10-7.3.12`) name only the minor version: probe them always.
    if (/^pypy\d/.test(dir)) {
      const command = firstExisting(toolCachePythons(prefix, 'pypy', osName))
      return command ? [{ command, args: [], foundBy: `pyenv (${dir})` }] : []
    }
    const hint = parseVersionString(dir.replace(/t$/, ''))
    if (!hint) return [] // virtualenvs and conda builds are not plain versions
    return [{ command: prefixPython(prefix, osName), args: [], foundBy: `pyenv (${dir})`, hint }]
  })
}

export function pathCandidates(
  pathVar: string,
  names: string[],
  osName: OsName,
  isExecutable: (file: string) => boolean
): Candidate[] {
  const dirs = pathVar.split(searchPathDelimiter(osName)).filter(d => d !== '')
  const found: Candidate[] = []
  for (const name of names) {
    for (const dir of dirs) {
      const file = path.join(dir, name)
      if (isExecutable(file)) found.push({ command: file, args: [], foundBy: `PATH (${file})` })
    }
  }
  return found
}

export function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

/** Every place a runner keeps interpreters, in order of preference among equal versions. */
export function gatherCandidates(
  spec: VersionSpec | undefined,
  env: NodeJS.ProcessEnv
): Candidate[] {
  const osName = currentOs()
  const pyenvRoot = env.PYENV_ROOT || path.join(os.homedir(), '.pyenv')
  const candidates: Candidate[] = []
  if (spec) {
    if (env.RUNNER_TOOL_CACHE) {
      candidates.push(
        ...toolCacheCandidates(env.RUNNER_TOOL_CACHE, osName, toolCacheArch(), env.LD_LIBRARY_PATH)
      )
    }
    if (env.pythonLocation) {
      candidates.push({
        command: prefixPython(env.pythonLocation, osName),
        args: [],
        foundBy: `pythonLocation (${env.pythonLocation})`
      })
    }
    candidates.push(...pyenvCandidates(pyenvRoot, osName))
  }
  const minors = spec ? minorsNamedBy(spec) : []
  // pyenv's shims only dispatch to the versions listed above, at the cost of a shell start each.
  const shims = path.join(pyenvRoot, 'shims')
  const delimiter = searchPathDelimiter(osName)
  const pathVar = (env.PATH ?? '')
    .split(delimiter)
    .filter(dir => !spec || !samePath(dir, shims, osName))
    .join(delimiter)
  candidates.push(
    ...pathCandidates(pathVar, pathPythonNames(minors, osName), osName, isExecutableFile)
  )
  if (osName === 'win32') {
    for (const minor of minors) {
      candidates.push({ command: 'py', args: [`-${minor}`], foundBy: `py launcher (-${minor})` })
    }
  }
  return candidates
}

function describe(found: PythonInstall[]): string {
  if (found.length === 0) return 'no Python interpreter at all'
  return found.map(p => `${p.versionText} (${p.implementation}) from ${p.foundBy}`).join('; ')
}

function satisfies(spec: VersionSpec, install: PythonInstall): boolean {
  return (
    install.implementation === spec.implementation &&
    install.freeThreaded === spec.freeThreaded &&
    versionMatches(spec, install.version) &&
    pypyVersionMatches(spec, install.implementationVersion)
  )
}

/** The highest version that satisfies the spec; among equals, the first candidate found. */
export function chooseInstall(
  spec: VersionSpec,
  installs: PythonInstall[]
): PythonInstall | undefined {
  let best: PythonInstall | undefined
  for (const install of installs) {
    if (!satisfies(spec, install)) continue
    if (!best || compareVersions(install.version, best.version) > 0) best = install
  }
  return best
}

async function probeAll(candidates: Candidate[]): Promise<PythonInstall[]> {
  const probed = await Promise.all(candidates.map(probePython))
  const seen = new Set<string>()
  return probed.filter((p): p is PythonInstall => {
    if (!p) return false
    const key = realPath(p.executable)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

export interface PythonRequest {
  pythonPath: string
  pythonVersion: string
  pythonVersionSource: string
  allowPrereleases: boolean
  /** Prefer the manifest's newest match over an older local one. */
  checkLatest: boolean
  /** The python-versions manifest to install from; '' for GitHub's. */
  pythonManifestUrl: string
  token: string
}

export async function findPython(
  request: PythonRequest,
  env = process.env
): Promise<PythonInstall> {
  const spec = request.pythonVersion
    ? parseVersionSpec(request.pythonVersion, request.allowPrereleases)
    : undefined
  if (request.pythonPath) {
    const install = await probePython({
      command: request.pythonPath,
      args: [],
      foundBy: "input 'python-path'"
    })
    if (!install) {
      throw new ActionError(
        `Input 'python-path' has the value "${request.pythonPath}": it is not a Python interpreter that runs. Point it at an executable python, or remove it and use python-version.`
      )
    }
    if (spec && !satisfies(spec, install)) {
      throw new ActionError(
        `Input 'python-path' (${install.versionText}, ${install.implementation}) contradicts ${request.pythonVersionSource} ("${spec.text}"): python-path wins over a version spec, so set only one of them, or make them agree.`
      )
    }
    return install
  }

  const candidates = gatherCandidates(spec, env)
  if (!spec) {
    // The runner's default python: the first one on PATH that runs.
    for (const candidate of candidates) {
      const install = await probePython(candidate)
      if (install) return { ...install, foundBy: `${install.foundBy}, the default python` }
    }
    throw new ActionError(
      'No Python interpreter was found on PATH. Set python-version (e.g. 3.12) or python-path, or add actions/setup-python before this step.'
    )
  }

  // A location that names its version is probed only when that version could match.
  const worthProbing = candidates.filter(
    c => !c.hint || versionMatches({ ...spec, allowPrereleases: true }, c.hint)
  )
  const installs = await probeAll(worthProbing)
  const local = chooseInstall(spec, installs)
  if (local && !request.checkLatest) return local
  const notFound = async (why: string) => {
    const everything =
      worthProbing.length === candidates.length ? installs : await probeAll(candidates)
    return new ActionError(
      `No Python matching "${spec.text}" (from ${request.pythonVersionSource}) was found on the runner. Found: ${describe(everything)}. ${why}`,
      { title: 'venv-guard: Python version not found' }
    )
  }
  if (spec.implementation !== 'cpython') {
    if (local) return local
    throw await notFound(
      `venv-guard downloads CPython only: put PyPy into the tool cache (PyPy/<version>/<arch>, as actions/setup-python does) or pyenv, or point python-path at it.`
    )
  }
  return (await setUpFromManifest(spec, request, local, env, notFound)) ?? (local as PythonInstall)
}

/**
 * The manifest's newest match, installed into the tool cache, when the runner has none or, with
 * check-latest, only an older one. Undefined means: keep the local one.
 */
async function setUpFromManifest(
  spec: VersionSpec,
  request: PythonRequest,
  local: PythonInstall | undefined,
  env: NodeJS.ProcessEnv,
  notFound: (why: string) => Promise<ActionError>
): Promise<PythonInstall | undefined> {
  const toolCache = env.RUNNER_TOOL_CACHE
  if (!toolCache) {
    const why =
      'RUNNER_TOOL_CACHE is not set, so there is no tool cache to install Python into: run venv-guard in a GitHub Actions job, or install Python on the machine.'
    if (!local) throw await notFound(why)
    core.warning(`check-latest: ${why} Using ${local.versionText} from ${local.foundBy}.`)
    return undefined
  }
  // Evaluated only now (tool-cache, semver), but bundled into index.js: ncc writes licenses.txt
  // per chunk, so a separate chunk would replace the bundle's license list with its own.
  const installer = await import(/* webpackMode: "eager" */ './installer.js')
  let resolution
  try {
    resolution = await installer.resolveRelease(
      spec,
      { url: request.pythonManifestUrl, token: request.token },
      toolCacheArch()
    )
  } catch (error) {
    if (!local) throw await notFound(errorMessage(error))
    core.warning(
      `check-latest: ${errorMessage(error)} Using ${local.versionText} from ${local.foundBy}.`
    )
    return undefined
  }
  const offer = resolution.match
  if (!offer) {
    if (local) {
      core.info(
        `check-latest: ${installer.noMatchMessage(spec, resolution)} Using ${local.versionText}.`
      )
      return undefined
    }
    throw await notFound(installer.noMatchMessage(spec, resolution))
  }
  if (local && compareVersions(local.version, offer.parsed) >= 0) {
    core.info(
      `check-latest: ${local.versionText} from ${local.foundBy} is the newest release matching "${spec.text}".`
    )
    return undefined
  }
  core.info(
    local
      ? `check-latest: ${offer.version} is newer than ${local.versionText} from ${local.foundBy}; installing it.`
      : `Installing Python ${offer.version} from ${resolution.url}.`
  )
  const prefix = await installer.installOffer(offer, resolution.arch, toolCache, request.token)
  const installed = await probePython({
    command: prefixPython(prefix),
    args: [],
    foundBy: `the python-versions manifest, installed into ${prefix}`,
    env: libraryPathEnv(prefix, env.LD_LIBRARY_PATH),
    location: prefix
  })
  if (!installed || !satisfies(spec, installed)) {
    throw new ActionError(
      `Python ${offer.version} was installed into ${prefix}, but ${prefixPython(prefix)} ${installed ? `is ${installed.versionText} (${installed.implementation}${installed.freeThreaded ? ', free-threaded' : ''}), which does not match "${spec.text}"` : 'does not run'}.`
    )
  }
  return installed
}
