import { ActionError, errorMessage } from '../report/diagnostic.js'
import { maskUrlCredentials } from '../report/secrets.js'
import { toolCacheArch } from '../platform/os.js'
import type { PythonRequest } from './request.js'
import { probePython, satisfies, type Candidate, type PythonInstall } from './probe.js'
import type { VersionSpec } from './version-spec.js'
import { info, warn } from '../report/log.js'

/** What findPython hands over when the manifest may have to supply the interpreter. */
export interface ManifestRequest {
  spec: VersionSpec
  request: PythonRequest
  /** The best local match, if any: kept unless the manifest has a newer one. */
  local: PythonInstall | undefined
  env: NodeJS.ProcessEnv
  /** The error for "no such Python", listing what the runner has. */
  notFound: (why: string) => Promise<ActionError>
}

/** A release a manifest offers that satisfies the spec. */
export interface ManifestRelease {
  /** As check-latest's lines name it: `3.12.1`, `pypy3.10.14-7.3.17`. */
  version: string
  /** `Python 3.12.1`, `PyPy 7.3.17 (Python 3.10.14)`. */
  label: string
  newerThan: (local: PythonInstall) => boolean
  /** Downloads it, installs it into the tool cache, and says how to start it. */
  install: (toolCache: string, env: NodeJS.ProcessEnv) => Promise<Candidate>
}

/** What a manifest (python-versions', PyPy's versions.json) has for a spec on this runner. */
export interface ManifestSetup {
  url: string
  /** The newest release that satisfies the spec. */
  match?: ManifestRelease
  /** Why nothing matches: what the manifest offers instead. */
  noMatch: string
}

/** An archive entry, as both manifests write it. */
export interface ManifestFile {
  filename: string
  platform: string
  arch: string
  download_url: string
}

/**
 * A manifest's text as its releases, each checked by `isRelease` (`shape` says what is expected),
 * the passwords and signatures of its links masked before anything could print them.
 */
export function parseReleases<T extends { files: ManifestFile[] }>(
  text: string,
  url: string,
  isRelease: (r: Record<string, unknown>) => boolean,
  shape: string,
  title: { title: string }
): T[] {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    throw new ActionError(`${url} is not JSON (${errorMessage(error)}).`, title)
  }
  const isFile = (f: Partial<ManifestFile> | null) =>
    typeof f?.filename === 'string' &&
    typeof f.platform === 'string' &&
    typeof f.arch === 'string' &&
    typeof f.download_url === 'string'
  const valid = (r: unknown) =>
    typeof r === 'object' &&
    r !== null &&
    Array.isArray((r as T).files) &&
    (r as T).files.every(isFile) &&
    isRelease(r as Record<string, unknown>)
  if (!Array.isArray(doc) || !doc.every(valid)) {
    throw new ActionError(`${url} is not ${shape}.`, title)
  }
  for (const release of doc as T[])
    for (const file of release.files) maskUrlCredentials(file.download_url)
  return doc as T[]
}

/**
 * The error text for a manifest without a match: what it does offer for this runner (`where`),
 * newest first, and the pre-release that allow-prereleases would take.
 */
export function noMatchText(
  specText: string,
  url: string,
  where: string,
  offered: string[],
  preRelease: string | undefined
): string {
  const shown = offered.slice(0, 20)
  const more = offered.length - shown.length
  const offers =
    shown.length === 0
      ? `It offers nothing for ${where}.`
      : `It offers for ${where}: ${shown.join(', ')}${more > 0 ? ` and ${more} older` : ''}.`
  const hint = preRelease
    ? ` ${preRelease} is a pre-release: set allow-prereleases: true to take it.`
    : ''
  return `The manifest ${url} has no release matching "${specText}". ${offers}${hint}`
}

/** The manifest for the spec's implementation, read; loaded only when a download may be needed. */
async function readManifest(spec: VersionSpec, request: PythonRequest): Promise<ManifestSetup> {
  // Evaluated only now (tool-cache, semver), but bundled into index.js: ncc writes licenses.txt
  // per chunk, so a separate chunk would replace the bundle's license list with its own.
  if (spec.implementation === 'pypy') {
    const pypy = await import(/* webpackMode: "eager" */ './pypy.js')
    return pypy.pypySetup(spec, request)
  }
  const installer = await import(/* webpackMode: "eager" */ './installer.js')
  return installer.cpythonSetup(spec, request, toolCacheArch())
}

/**
 * The interpreter to use when the runner has no match or, with check-latest, maybe only an older
 * one: the manifest's newest match, installed into the tool cache, or else the local one.
 */
export async function setUpFromManifest({
  spec,
  request,
  local,
  env,
  notFound
}: ManifestRequest): Promise<PythonInstall> {
  const toolCache = env.RUNNER_TOOL_CACHE
  if (!toolCache) {
    const why =
      'RUNNER_TOOL_CACHE is not set, so there is no tool cache to install Python into: run venv-guard in a GitHub Actions job, or install Python on the machine.'
    if (!local) throw await notFound(why)
    warn(`check-latest: ${why} Using ${local.versionText} from ${local.foundBy}.`)
    return local
  }
  let setup: ManifestSetup
  try {
    setup = await readManifest(spec, request)
  } catch (error) {
    if (!local) throw await notFound(errorMessage(error))
    warn(`check-latest: ${errorMessage(error)} Using ${local.versionText} from ${local.foundBy}.`)
    return local
  }
  const release = setup.match
  if (!release) {
    if (local) {
      info(`check-latest: ${setup.noMatch} Using ${local.versionText}.`)
      return local
    }
    throw await notFound(setup.noMatch)
  }
  if (local && !release.newerThan(local)) {
    info(
      `check-latest: ${local.versionText} from ${local.foundBy} is the newest release matching "${spec.text}".`
    )
    return local
  }
  info(
    local
      ? `check-latest: ${release.version} is newer than ${local.versionText} from ${local.foundBy}; installing it.`
      : `Installing ${release.label} from ${setup.url}.`
  )
  const candidate = await release.install(toolCache, env)
  const installed = await probePython(candidate)
  if (!installed || !satisfies(spec, installed)) {
    throw new ActionError(
      `${release.label} was installed into ${candidate.location}, but ${candidate.command} ${installed ? `is ${installed.versionText} (${installed.implementation}${installed.freeThreaded ? ', free-threaded' : ''}), which does not match "${spec.text}"` : 'does not run'}.`
    )
  }
  return installed
}
