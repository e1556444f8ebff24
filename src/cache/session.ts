import * as core from '@actions/core'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { cacheKeys, type CacheKeys } from './key.js'
import { dirStore, githubCacheOffered, githubStore, type CacheStore } from './store.js'
import { errorMessage } from '../action/errors.js'
import type { Config } from '../action/inputs.js'
import { currentOs, currentOsVersion, pipCacheDir } from '../platform/os.js'
import type { PythonInstall } from '../python/find.js'
import { timed, type RunReport } from '../action/report.js'
import { inspectVenv, removeOwnVenv, writeMarker } from '../venv/plan.js'
import { venvHealth, type HealthExpectation } from '../venv/health.js'

const STATE = 'cache'

/** What main found, for the rest of main and, through rememberForSave, for the post step. */
export interface CacheSession {
  store: CacheStore
  cacheDir: string
  keys: CacheKeys
  expected: HealthExpectation
  /** The venv came from the cache with the exact key and passed the health check. */
  hit: boolean
  /** The store has an entry under the venv key (GitHub's entries cannot be replaced). */
  venvKeyTaken: boolean
  pipDir?: string
  pipExact: boolean
}

/** What the post step saves. */
interface SaveState {
  cacheDir: string
  venv?: { path: string; key: string; snapshot: string }
  pip?: { path: string; key: string }
}

/** pip's cache directory for this run's pip runs: the last --cache-dir/--no-cache-dir in pip-args wins. */
export function pipCacheDirOf(
  pipArgs: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  home: string
): string | undefined {
  for (let i = pipArgs.length - 1; i >= 0; i--) {
    const arg = pipArgs[i]
    if (arg === '--no-cache-dir') return undefined
    if (arg.startsWith('--cache-dir=')) return path.resolve(cwd, arg.slice('--cache-dir='.length))
    if (arg === '--cache-dir' && i + 1 < pipArgs.length) return path.resolve(cwd, pipArgs[i + 1])
  }
  const dir = pipCacheDir(env, home)
  return dir && path.resolve(cwd, dir)
}

/**
 * A digest of a venv's names, and its files' sizes and times: taken when main is done and again
 * in post, it tells whether later steps changed the venv, which must then not be saved under a
 * key that names only what this action installed. Left out: `__pycache__` (Python's own cache,
 * written on import), and directories' times, which such writes change.
 */
export function venvSnapshot(venv: string): string {
  const hash = createHash('sha256')
  const walk = (relative: string): void => {
    const entries = fs.readdirSync(path.join(venv, relative), { withFileTypes: true })
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const name = path.join(relative, entry.name)
      if (entry.isDirectory()) {
        if (entry.name === '__pycache__') continue
        hash.update(`${name}/\n`)
        walk(name)
      } else if (entry.isSymbolicLink()) {
        hash.update(`${name} -> ${fs.readlinkSync(path.join(venv, name))}\n`)
      } else {
        const stat = fs.statSync(path.join(venv, name))
        hash.update(`${name}\0${stat.size}\0${stat.mtimeMs}\n`)
      }
    }
  }
  walk('')
  return hash.digest('hex')
}

async function openStore(cacheDir: string): Promise<CacheStore | undefined> {
  if (cacheDir) return dirStore(cacheDir)
  const store = githubCacheOffered(process.env) ? await githubStore() : undefined
  if (!store) {
    core.info(
      "Cache: GitHub's cache service is not available here (no ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL); set cache-dir to cache in a local directory."
    )
  }
  return store
}

/**
 * Opens the cache store for restoreCaches. Called before the interpreter is probed, so that
 * loading GitHub's cache client happens while node waits for the probe. Never rejects.
 */
export async function openCacheStore(config: Config): Promise<CacheStore | undefined> {
  if (!config.cache) return undefined
  try {
    return await openStore(config.cacheDir)
  } catch (error) {
    core.warning(`Cache: could not open the cache: ${errorMessage(error)}`)
    return undefined
  }
}

function isEmptyOrAbsent(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length === 0
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
  }
}

/**
 * Restores a directory that is absent or empty (one that holds something is this machine's own
 * and is left alone). What a failed restore leaves behind is removed: the directory was empty
 * before, so all of it came from the failed restore.
 */
async function restoreInto(
  store: CacheStore,
  dir: string,
  key: string,
  prefixes: string[]
): Promise<string | undefined> {
  if (!isEmptyOrAbsent(dir)) {
    core.info(`Cache: ${dir} exists already; it is used as it is, not restored.`)
    return undefined
  }
  let matched: string | undefined
  try {
    matched = await store.restore(dir, key, prefixes)
  } catch (error) {
    core.warning(`Could not restore ${dir} from ${store.name}: ${errorMessage(error)}`)
  }
  if (!matched && !isEmptyOrAbsent(dir)) {
    fs.rmSync(dir, { recursive: true, force: true })
    core.info(`Cache: removed what the failed restore left in ${dir}.`)
  }
  return matched
}

/** Removes a venv restored a moment ago (restoreInto made it from nothing). */
function discardRestored(venv: string): void {
  const state = inspectVenv(venv)
  if (state.kind === 'venv' && state.marker?.created) removeOwnVenv(venv)
  else fs.rmSync(venv, { recursive: true, force: true })
}

async function restoreVenv(session: CacheSession, venv: string, report: RunReport): Promise<void> {
  const { store, keys } = session
  if ((await restoreInto(store, venv, keys.venv, [])) !== keys.venv) {
    core.info(`Cache: no venv under ${keys.venv} in ${store.name}.`)
    return
  }
  session.venvKeyTaken = true
  let problems: string[]
  try {
    problems = (await venvHealth(venv, session.expected)).problems
  } catch (error) {
    problems = [`its health check failed: ${errorMessage(error)}`]
  }
  if (problems.length === 0) {
    session.hit = true
    core.info(
      `Cache: restored the venv from ${store.name} (${keys.venv}); it passed the health check.`
    )
    return
  }
  discardRestored(venv)
  const message =
    `The venv restored from ${store.name} (${keys.venv}) is not usable: ${problems.join('; ')}. ` +
    `It was removed and is built afresh.` +
    (store.replaces
      ? ' The new one replaces the cache entry.'
      : ` Delete that cache entry (gh cache delete ${keys.venv}) so that a good one can be saved.`)
  core.warning(message)
  report.warnings.push(message)
}

/**
 * Restores what the cache has for this run: the venv with its exact key only, checked before it
 * is trusted (venv-health.ts), then, when the venv must be built, pip's cache from the newest
 * entry of this machine (partial matches are fine there: pip checks what it takes from it).
 * Sets the outputs cache-hit and cache-key. Undefined without a store (caching off, or none here).
 */
export async function restoreCaches(
  store: CacheStore | undefined,
  config: Config,
  python: PythonInstall,
  fingerprint: string,
  report: RunReport,
  /** False when the venv holds requirements that can change under the same key (a local project). */
  cacheVenv = true
): Promise<CacheSession | undefined> {
  core.setOutput('cache-hit', 'false')
  if (!store) return undefined
  return timed(report, 'restore cache', async () => {
    const keys = cacheKeys(
      { os: currentOs(), osVersion: currentOsVersion(), arch: process.arch },
      python,
      fingerprint
    )
    const session: CacheSession = {
      store,
      cacheDir: config.cacheDir,
      keys,
      expected: {
        python: {
          executable: python.executable,
          versionText: python.versionText,
          basePrefix: python.basePrefix
        },
        fingerprint
      },
      hit: false,
      venvKeyTaken: false,
      pipDir: pipCacheDirOf(config.pipArgs, config.workingDirectory, process.env, os.homedir()),
      pipExact: false
    }
    if (config.createVenv && cacheVenv) {
      core.setOutput('cache-key', keys.venv)
      await restoreVenv(session, config.venvPath, report)
      core.setOutput('cache-hit', String(session.hit))
    }
    if (!session.hit && session.pipDir) {
      const matched = await restoreInto(store, session.pipDir, keys.pip, [keys.pipPrefix])
      if (matched) core.info(`Cache: restored pip's cache ${session.pipDir} (${matched}).`)
      session.pipExact = matched === keys.pip
    }
    return session
  })
}

/**
 * The venv to save, checked now, while main still has the interpreter it was made for: a venv
 * that fails the health check would only be rebuilt after a restore. The digest of what passed
 * pip check goes into the marker, so that the check after a restore can skip that part.
 */
async function venvToSave(
  session: CacheSession,
  venv: string
): Promise<SaveState['venv'] | undefined> {
  const health = await venvHealth(venv, session.expected)
  if (health.problems.length > 0) {
    core.warning(
      `Cache: the venv will not be saved: ${health.problems.join('; ')}. Restored, it would fail the health check and be rebuilt anyway.`
    )
    return undefined
  }
  const state = inspectVenv(venv)
  if (state.kind === 'venv' && state.marker) {
    writeMarker(venv, { ...state.marker, checked: health.checked })
  }
  return { path: venv, key: session.keys.venv, snapshot: venvSnapshot(venv) }
}

/**
 * Called once everything is installed: tells the post step what to save. Nothing after a hit;
 * the venv only when this action created it, and not under a key GitHub's cache already holds.
 */
export async function rememberForSave(
  session: CacheSession,
  done: { installed: boolean; createdVenv?: string }
): Promise<void> {
  if (session.hit || !done.installed) return
  const state: SaveState = { cacheDir: session.cacheDir }
  if (done.createdVenv && (session.store.replaces || !session.venvKeyTaken)) {
    try {
      state.venv = await venvToSave(session, done.createdVenv)
    } catch (error) {
      core.warning(`Cache: the venv will not be saved: ${errorMessage(error)}`)
    }
  }
  if (session.pipDir && !session.pipExact)
    state.pip = { path: session.pipDir, key: session.keys.pip }
  if (state.venv || state.pip) core.saveState(STATE, JSON.stringify(state))
}

async function saveDir(store: CacheStore, dir: string, key: string, what: string): Promise<void> {
  let saved: boolean
  try {
    saved = await store.save(dir, key)
  } catch (error) {
    core.warning(`Could not save ${what} to ${store.name}: ${errorMessage(error)}`)
    return
  }
  if (saved) core.info(`Cache: saved ${what} to ${store.name} (${key}).`)
  else
    core.warning(
      `Cache: ${what} was not saved to ${store.name} (${key}); see the message above: another job may be saving the same key, or this run's token may only read the cache (pull requests from forks). The next run installs afresh.`
    )
}

async function saveVenv(store: CacheStore, venv: NonNullable<SaveState['venv']>): Promise<void> {
  if (!fs.existsSync(venv.path)) {
    core.info(`Cache: the venv ${venv.path} is gone; nothing to save.`)
    return
  }
  if (venvSnapshot(venv.path) !== venv.snapshot) {
    core.warning(
      `Cache: the venv was not saved: a later step changed it (installed or removed something), and the cache must hold only what this action installed. Give such packages to this action's packages or requirements input instead.`
    )
    return
  }
  await saveDir(store, venv.path, venv.key, 'the venv')
}

/** The post step: saves what main asked for. Never fails the job: every problem is a warning. */
export async function saveCaches(): Promise<void> {
  const text = core.getState(STATE)
  if (!text) return
  try {
    const state = JSON.parse(text) as SaveState
    const store = await openStore(state.cacheDir)
    if (!store) return
    if (state.venv) await saveVenv(store, state.venv)
    if (state.pip && !isEmptyOrAbsent(state.pip.path)) {
      await saveDir(store, state.pip.path, state.pip.key, "pip's cache")
    }
  } catch (error) {
    core.warning(`Cache: could not save: ${errorMessage(error)}`)
  }
}
