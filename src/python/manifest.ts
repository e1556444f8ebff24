import { ActionError, errorMessage } from '../report/diagnostic.js'
import { libraryPathEnv, prefixPython, toolCacheArch } from '../platform/os.js'
import type { PythonRequest } from './request.js'
import { probePython, satisfies, type PythonInstall } from './probe.js'
import { compareVersions, type VersionSpec } from './version-spec.js'
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
    warn(`check-latest: ${errorMessage(error)} Using ${local.versionText} from ${local.foundBy}.`)
    return local
  }
  const offer = resolution.match
  if (!offer) {
    if (local) {
      info(
        `check-latest: ${installer.noMatchMessage(spec, resolution)} Using ${local.versionText}.`
      )
      return local
    }
    throw await notFound(installer.noMatchMessage(spec, resolution))
  }
  if (local && compareVersions(local.version, offer.parsed) >= 0) {
    info(
      `check-latest: ${local.versionText} from ${local.foundBy} is the newest release matching "${spec.text}".`
    )
    return local
  }
  info(
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
