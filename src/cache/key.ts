import { createHash } from 'node:crypto'
import { FORMAT_VERSION } from '../venv/fingerprint.js'

/** The machine a cache entry was made on, as far as it decides whether the entry fits another. */
export interface KeyContext {
  /** Node's platform name: linux, darwin, win32. */
  os: string
  /** See osVersion() in platform/os.ts. */
  osVersion: string
  /** Node's architecture name: x64, arm64. */
  arch: string
}

export interface CacheKeys {
  /** The venv's exact key. */
  venv: string
  /**
   * What the venv's keys start with for this machine, interpreter and venv path, whatever the
   * inputs: an earlier entry under it is a venv to update (install/update.ts) on a miss.
   */
  venvPrefix: string
  /** pip's cache: saved under `pip`, restored from the newest entry starting with `pipPrefix`. */
  pip: string
  pipPrefix: string
}

const machineName = (context: KeyContext): string =>
  `${context.os}-${context.osVersion}-${context.arch}`

/** The tool seed's keys (install/seed.ts): of this machine and seed, then the tools it holds. */
export function seedKeyPrefix(context: KeyContext, seed: string): string {
  return `venv-guard-v${FORMAT_VERSION}-seed-${machineName(context)}-${seed}-`
}

/**
 * The cache keys. The fingerprint (venv/fingerprint.ts) already covers the interpreter, the venv's path,
 * every requirements and cache-dependency-path file, the packages, upgrade and pip-args, and the
 * action's cache format; the key adds the machine. The readable part is for people reading the
 * cache list; only the hash decides.
 */
export function cacheKeys(
  context: KeyContext,
  python: { implementation: string; versionText: string; executable: string },
  fingerprint: string,
  venvPath: string
): CacheKeys {
  const digest = (parts: string[]) =>
    createHash('sha256').update(JSON.stringify(parts)).digest('hex')
  const machineParts = [context.os, context.osVersion, context.arch]
  const hash = digest([...machineParts, fingerprint])
  const place = digest([...machineParts, python.executable, venvPath]).slice(0, 16)
  const machine = machineName(context)
  const pipPrefix = `venv-guard-v${FORMAT_VERSION}-pip-${machine}-`
  const venvPrefix = `venv-guard-v${FORMAT_VERSION}-venv-${machine}-${python.implementation}-${python.versionText}-${place}-`
  return {
    venv: `${venvPrefix}${hash}`,
    venvPrefix,
    pip: `${pipPrefix}${hash}`,
    pipPrefix
  }
}
