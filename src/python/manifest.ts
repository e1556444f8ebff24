import { ActionError, errorMessage } from '../report/diagnostic.js'
import { toolCacheArch } from '../platform/os.js'
import type { PythonRequest } from './request.js'
import { probePython, satisfies, type PythonInstall } from './probe.js'
import type { ManifestSetup } from './releases.js'
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
