import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { ActionError } from '../report/diagnostic.js'
import {
  currentOs,
  executablesOnPath,
  isExecutableFile,
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
import { setUpFromManifest } from './manifest.js'
import { probePython, satisfies, type Candidate, type PythonInstall } from './probe.js'
import {
  compareVersions,
  minorsNamedBy,
  onlyBefore,
  parseVersionSpec,
  parseVersionString,
  versionMatches,
  type VersionSpec
} from './version-spec.js'
import type { PythonRequest } from './request.js'

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
  return executablesOnPath(pathVar, names, osName, isExecutable).map(file => ({
    command: file,
    args: [],
    foundBy: `PATH (${file})`
  }))
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

/** What the runner has, newest first. */
function describe(found: PythonInstall[]): string {
  if (found.length === 0) return 'no Python interpreter at all'
  return [...found]
    .sort((a, b) => compareVersions(b.version, a.version))
    .map(p => `${p.versionText} (${p.implementation}) from ${p.foundBy}`)
    .join('; ')
}

/** actions/python-versions has CPython from 3.0 on: nothing older is ever in its manifest. */
const MANIFEST_FIRST_MAJOR = 3

/**
 * The candidates worth a probe: a location that names its version only when that version could
 * match; on PATH, once per file (`/bin/python3` is `/usr/bin/python3` where /bin links to /usr/bin),
 * and not a file named for another minor version (`python3` that is `python3.11`) when the spec
 * names nothing but exact minor versions. Each probe is a Python start; on a no-op run they are
 * most of the time.
 */
export function worthProbing(
  spec: VersionSpec,
  candidates: Candidate[],
  realFile: (file: string) => string = realPath
): Candidate[] {
  const minors = minorsNamedBy(spec)
  const onlyMinors = spec.implementation === 'cpython' && minors.length === spec.clauses.length
  const seen = new Set<string>()
  return candidates.filter(c => {
    if (c.hint) return versionMatches({ ...spec, allowPrereleases: true }, c.hint)
    if (c.args.length > 0 || c.env) return true
    const real = realFile(c.command)
    if (seen.has(real)) return false
    seen.add(real)
    const named = /^python(\d+\.\d+)$/.exec(path.basename(real))
    return !(onlyMinors && named && !minors.includes(named[1]))
  })
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

/**
 * The interpreter findPython will most likely choose, told without starting one: `python-path`, or
 * among the candidates worth a probe the one whose location names the highest version (the first
 * where none does; with no version, the first on PATH), as chooseInstall prefers the highest.
 * What depends only on the interpreter (the user-site check) can start beside the probes, while a
 * core is free; a wrong guess costs one Python start.
 */
export function likelyPython(request: PythonRequest, env = process.env): string | undefined {
  if (request.pythonPath) return request.pythonPath
  let spec: VersionSpec | undefined
  try {
    spec = request.pythonVersion
      ? parseVersionSpec(request.pythonVersion, request.allowPrereleases)
      : undefined
  } catch {
    return undefined // findPython tells why
  }
  const candidates = gatherCandidates(spec, env)
  const probed = spec ? worthProbing(spec, candidates) : candidates.slice(0, 1)
  // A hint the spec itself refuses (a prerelease it does not allow) is no likely choice.
  const rank = (c: Candidate) =>
    c.hint && (!spec || versionMatches(spec, c.hint)) ? c.hint : undefined
  let likely = probed[0]
  for (const c of probed) {
    const [hint, best] = [rank(c), rank(likely)]
    if (hint && (!best || compareVersions(hint, best) > 0)) likely = c
  }
  // The early check runs the command as it is: no arguments, no environment of its own.
  const plain = likely && likely.args.length === 0 && Object.keys(likely.env ?? {}).length === 0
  return plain ? likely.command : undefined
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
        `Input 'python-path' has the value "${request.pythonPath}": it is not a Python interpreter that runs. Point it at an executable python, or remove it and use python-version.`,
        { title: "venv-guard: invalid input 'python-path'" }
      )
    }
    if (spec && !satisfies(spec, install)) {
      throw new ActionError(
        `Input 'python-path' (${install.versionText}, ${install.implementation}) contradicts ${request.pythonVersionSource} ("${spec.text}"): python-path wins over a version spec, so set only one of them, or make them agree.`,
        { title: "venv-guard: invalid input 'python-path'" }
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

  const probed = worthProbing(spec, candidates)
  const installs = await probeAll(probed)
  const local = chooseInstall(spec, installs)
  if (local && !request.checkLatest) return local
  const everything = async () =>
    probed.length === candidates.length ? installs : await probeAll(candidates)
  const notFound = async (why: string) =>
    new ActionError(
      `No Python matching "${spec.text}" (from ${request.pythonVersionSource}) was found on the runner. Found: ${describe(await everything())}. ${why}`,
      { title: 'venv-guard: Python version not found' }
    )
  // Decided without the network: no manifest retries for a version no download can provide.
  if (
    spec.implementation === 'cpython' &&
    request.pythonManifestUrl === '' &&
    onlyBefore(spec, MANIFEST_FIRST_MAJOR)
  ) {
    if (local) return local
    throw new ActionError(
      `Python "${spec.text}" (from ${request.pythonVersionSource}) can come only from the runner itself, and it has none: the python-versions manifest has no CPython before ${MANIFEST_FIRST_MAJOR}.0. Found: ${describe(await everything())}. Install it on the runner (pyenv, the tool cache, python-path), or ask for a ${MANIFEST_FIRST_MAJOR}.x version.`,
      { title: 'venv-guard: Python version not found' }
    )
  }
  return setUpFromManifest({ spec, request, local, env, notFound })
}
