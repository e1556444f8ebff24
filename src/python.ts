import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { ActionError } from './errors.js'
import { currentOs, pathPythonNames, prefixPython, toolCacheArch, type OsName } from './platform.js'
import { run } from './proc.js'
import {
  compareVersions,
  formatVersion,
  minorsNamedBy,
  parseVersionSpec,
  parseVersionString,
  versionMatches,
  type PythonVersion,
  type VersionSpec
} from './version-spec.js'

/** What the interpreter says of itself. */
export interface PythonFacts {
  executable: string
  version: PythonVersion
  implementation: string
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
}

/** A way to start an interpreter, and where it came from. */
export interface Candidate {
  command: string
  args: string[]
  foundBy: string
  /** The version its location names (tool cache and pyenv directories), used to skip probing. */
  hint?: PythonVersion
}

// One short probe answers everything: -I keeps the user's PYTHONPATH and user site out of it.
const PROBE = `import json, os, re, sys, sysconfig
from importlib.util import find_spec
v = sys.version_info
spec = find_spec("pip")
pip = None
if spec and spec.origin:
    with open(spec.origin) as f:
        m = re.search(r"__version__ = .([0-9][0-9A-Za-z.+!-]*)", f.read())
    pip = {"version": m.group(1) if m else "", "location": os.path.dirname(spec.origin)}
print(json.dumps({"executable": sys.executable, "version": [v[0], v[1], v[2], v[3], v[4]],
  "implementation": sys.implementation.name, "prefix": sys.prefix,
  "basePrefix": getattr(sys, "base_prefix", sys.prefix),
  "freeThreaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
  "stdlib": sysconfig.get_path("stdlib"), "purelib": sysconfig.get_path("purelib"),
  "platlib": sysconfig.get_path("platlib"), "pip": pip}))`

export function parseProbe(stdout: string): PythonFacts {
  const raw = JSON.parse(stdout.trim().split(/\r?\n/).pop() ?? '') as Omit<
    PythonFacts,
    'version'
  > & {
    version: [number, number, number, string, number]
  }
  const [major, minor, micro, releaseLevel, serial] = raw.version
  return { ...raw, version: { major, minor, micro, releaseLevel, serial } }
}

export async function probePython(candidate: Candidate): Promise<PythonInstall | undefined> {
  try {
    const result = await run(candidate.command, [...candidate.args, '-I', '-c', PROBE])
    if (result.exitCode !== 0) return undefined
    const facts = parseProbe(result.stdout)
    return { ...facts, versionText: formatVersion(facts.version), foundBy: candidate.foundBy }
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

/** setup-python's layout: `$RUNNER_TOOL_CACHE/Python/<X.Y.Z>/<arch>/` beside `<arch>.complete`. */
export function toolCacheCandidates(toolCache: string, osName: OsName, arch: string): Candidate[] {
  const root = path.join(toolCache, 'Python')
  return listDir(root).flatMap(dir => {
    const versionDir = path.join(root, dir)
    if (!fs.existsSync(path.join(versionDir, `${arch}.complete`))) return []
    const hint = parseVersionString(dir.replace(/-/g, ''))
    return [
      {
        command: prefixPython(path.join(versionDir, arch), osName),
        args: [],
        foundBy: `tool cache (${path.join(versionDir, arch)})`,
        hint
      }
    ]
  })
}

export function pyenvCandidates(pyenvRoot: string, osName: OsName): Candidate[] {
  const root = path.join(pyenvRoot, 'versions')
  return listDir(root).flatMap(dir => {
    const hint = parseVersionString(dir)
    if (!hint) return [] // virtualenvs, pypy and conda builds are not plain versions
    return [
      {
        command: prefixPython(path.join(root, dir), osName),
        args: [],
        foundBy: `pyenv (${dir})`,
        hint
      }
    ]
  })
}

export function pathCandidates(
  pathVar: string,
  names: string[],
  osName: OsName,
  isExecutable: (file: string) => boolean
): Candidate[] {
  const dirs = pathVar.split(osName === 'win32' ? ';' : ':').filter(d => d !== '')
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
  const candidates: Candidate[] = []
  if (spec) {
    if (env.RUNNER_TOOL_CACHE) {
      candidates.push(...toolCacheCandidates(env.RUNNER_TOOL_CACHE, osName, toolCacheArch()))
    }
    if (env.pythonLocation) {
      candidates.push({
        command: prefixPython(env.pythonLocation, osName),
        args: [],
        foundBy: `pythonLocation (${env.pythonLocation})`
      })
    }
    candidates.push(...pyenvCandidates(env.PYENV_ROOT || path.join(os.homedir(), '.pyenv'), osName))
  }
  const minors = spec ? minorsNamedBy(spec) : []
  candidates.push(
    ...pathCandidates(env.PATH ?? '', pathPythonNames(minors, osName), osName, isExecutableFile)
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
    versionMatches(spec, install.version)
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

function realPath(file: string): string {
  try {
    return fs.realpathSync(file)
  } catch {
    return file
  }
}

export interface PythonRequest {
  pythonPath: string
  pythonVersion: string
  pythonVersionSource: string
  allowPrereleases: boolean
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
  const chosen = chooseInstall(spec, installs)
  if (chosen) return chosen
  const everything =
    worthProbing.length === candidates.length ? installs : await probeAll(candidates)
  throw new ActionError(
    `No Python matching "${spec.text}" (from ${request.pythonVersionSource}) was found. Found: ${describe(everything)}. ` +
      `Add actions/setup-python with python-version: '${spec.text}' before this step, install it on the runner (pyenv, tool cache), or point python-path at an interpreter.`,
    { title: 'venv-guard: Python version not found' }
  )
}
