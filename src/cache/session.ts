import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { errorMessage } from '../report/diagnostic.js'
import { info, notify, warn } from '../report/log.js'
import { timed, type RunReport } from '../report/run-report.js'
import type { CacheSaveState } from './save.js'
import { currentOs, currentOsVersion, pipCacheDir } from '../platform/os.js'
import type { PythonInstall } from '../python/probe.js'
import { venvHealth, type HealthExpectation } from '../venv/health.js'
import {
  markChecked,
  markRestoring,
  readMarker,
  removeOwnVenv,
  restoreEnded
} from '../venv/marker.js'
import { cacheKeys, type CacheKeys } from './key.js'
import { pipCacheIsPips } from './pip-tier.js'
import { cacheScope, runEvent, type CacheInput } from './scope.js'
import { dropUnlistedBytecode, recordVenvContent } from './snapshot.js'
import type { CacheStore } from './cache-store.js'
import { isEmptyOrAbsent, openStore } from './store.js'

/** The inputs the cache reads. */
export interface CacheSettings {
  cache: CacheInput
  cacheSave: boolean
  cacheDir: string
  createVenv: boolean
  venvPath: string
  pipArgs: string[]
  workingDirectory: string
}

/** What main found, for the rest of main and, through rememberForSave, for the post step. */
export interface CacheSession {
  store: CacheStore
  cacheDir: string
  keys: CacheKeys
  expected: HealthExpectation
  /** The venv's key, when the venv was looked up in the cache (the cache-key output). */
  venvKey?: string
  /** The venv came from the cache with the exact key and passed the health check. */
  hit: boolean
  /** The store has an entry under the venv key (GitHub's entries cannot be replaced). */
  venvKeyTaken: boolean
  pipDir?: string
  pipExact: boolean
  /** False with cache-save: false. */
  save: boolean
}

/** What restoreCaches needs. */
export interface RestoreRequest {
  store: CacheStore | undefined
  settings: CacheSettings
  python: PythonInstall
  fingerprint: string
  /** False when the venv holds requirements that can change under the same key (a local project). */
  cacheVenv: boolean
  report: RunReport
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
 * Opens the cache store for restoreCaches, when this run caches at all (scope.ts). Called before
 * the interpreter is probed, so that loading GitHub's cache client happens while node waits for
 * the probe. Never rejects.
 */
export async function openCacheStore(
  settings: Pick<CacheSettings, 'cache' | 'cacheSave' | 'cacheDir'>
): Promise<CacheStore | undefined> {
  const scope = cacheScope(settings.cache, settings.cacheSave, runEvent(process.env))
  if (scope.off) notify(scope.off)
  if (!scope.restore) return undefined
  try {
    return await openStore(settings.cacheDir)
  } catch (error) {
    warn(`Cache: could not open the cache: ${errorMessage(error)}`)
    return undefined
  }
}

/** What restoreInto did: nothing, for a directory that holds something, or a restore attempt. */
type Restored = { occupied: true } | { occupied: false; matched: string | undefined }

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
): Promise<Restored> {
  if (!isEmptyOrAbsent(dir)) {
    info(`Cache: ${dir} exists already; it is used as it is, not restored.`)
    return { occupied: true }
  }
  let matched: string | undefined
  try {
    matched = await store.restore(dir, key, prefixes)
  } catch (error) {
    warn(`Could not restore ${dir} from ${store.name}: ${errorMessage(error)}`)
  }
  if (!matched && store.unpacksInPlace && !isEmptyOrAbsent(dir)) {
    fs.rmSync(dir, { recursive: true, force: true })
    info(`Cache: removed what the failed restore left in ${dir}.`)
  }
  return { occupied: false, matched }
}

/** Removes a venv restored a moment ago (restoreInto made it from nothing). */
function discardRestored(venv: string): void {
  if (readMarker(venv)?.created) removeOwnVenv(venv)
  else fs.rmSync(venv, { recursive: true, force: true })
}

/** How restoring the venv went: a hit, and whether the store holds the key at all. */
interface VenvRestore {
  hit: boolean
  keyTaken: boolean
}

/**
 * Runs a restore into `venv`, marked as being restored until its outcome is decided. Only a
 * restore into nothing is marked: what the next run removes on that mark is the restore's alone.
 */
async function markedWhileRestoring<T>(venv: string, restore: () => Promise<T>): Promise<T> {
  if (!isEmptyOrAbsent(venv) || !markRestoring(venv)) return restore()
  try {
    return await restore()
  } finally {
    restoreEnded(venv)
  }
}

async function restoreVenv(
  store: CacheStore,
  keys: CacheKeys,
  expected: HealthExpectation,
  venv: string
): Promise<VenvRestore> {
  const restored = await restoreInto(store, venv, keys.venv, [])
  // A venv already there was not looked up: nothing is known about the store's entry.
  if (restored.occupied) return { hit: false, keyTaken: false }
  if (restored.matched !== keys.venv) {
    info(`Cache: no venv under ${keys.venv} in ${store.name}.`)
    return { hit: false, keyTaken: false }
  }
  const dropped = dropUnlistedBytecode(venv)
  if (dropped > 0) {
    info(`Cache: removed ${dropped} bytecode files the saving job's later steps had written.`)
  }
  let problems: string[]
  try {
    problems = (await venvHealth(venv, expected)).problems
  } catch (error) {
    problems = [`its health check failed: ${errorMessage(error)}`]
  }
  if (problems.length === 0) {
    info(`Cache: restored the venv from ${store.name} (${keys.venv}); it passed the health check.`)
    return { hit: true, keyTaken: true }
  }
  discardRestored(venv)
  warn(
    `The venv restored from ${store.name} (${keys.venv}) is not usable: ${problems.join('; ')}. ` +
      `It was removed and is built afresh.` +
      (store.replaces
        ? ' The new one replaces the cache entry.'
        : ` Delete that cache entry (gh cache delete ${keys.venv}) so that a good one can be saved.`)
  )
  return { hit: false, keyTaken: true }
}

/**
 * Restores what the cache has for this run: the venv with its exact key only, checked before it
 * is trusted (venv/health.ts), then, when the venv must be built, pip's cache from the newest
 * entry of this machine (partial matches are fine there: pip checks what it takes from it).
 * Undefined without a store (caching off, or none here).
 */
export async function restoreCaches(request: RestoreRequest): Promise<CacheSession | undefined> {
  return request.store && (await restore(request, request.store))
}

async function restore(request: RestoreRequest, store: CacheStore): Promise<CacheSession> {
  const { settings, python, fingerprint, report } = request
  return timed(report, 'restore cache', async () => {
    const keys = cacheKeys(
      { os: currentOs(), osVersion: currentOsVersion(), arch: process.arch },
      python,
      fingerprint
    )
    const expected: HealthExpectation = {
      python: {
        executable: python.executable,
        versionText: python.versionText,
        basePrefix: python.basePrefix
      },
      fingerprint
    }
    let venv: VenvRestore = { hit: false, keyTaken: false }
    const lookedUp = settings.createVenv && request.cacheVenv
    if (lookedUp) {
      venv = await markedWhileRestoring(settings.venvPath, () =>
        restoreVenv(store, keys, expected, settings.venvPath)
      )
    }
    const pipDir = pipCacheDirOf(
      settings.pipArgs,
      settings.workingDirectory,
      process.env,
      os.homedir()
    )
    let pipExact = false
    if (!venv.hit && pipDir) {
      const restored = await restoreInto(store, pipDir, keys.pip, [keys.pipPrefix])
      const matched = restored.occupied ? undefined : restored.matched
      if (matched) info(`Cache: restored pip's cache ${pipDir} (${matched}).`)
      pipExact = matched === keys.pip
    }
    return {
      store,
      cacheDir: settings.cacheDir,
      keys,
      expected,
      venvKey: lookedUp ? keys.venv : undefined,
      hit: venv.hit,
      venvKeyTaken: venv.keyTaken,
      pipDir,
      pipExact,
      save: cacheScope(settings.cache, settings.cacheSave, runEvent(process.env)).save
    }
  })
}

/**
 * The venv to save, checked now, while main still has the interpreter it was made for: a venv
 * that fails the health check would only be rebuilt after a restore. The digest of what passed
 * pip check goes into the marker, so that the check after a restore can skip that part.
 */
async function venvToSave(
  session: CacheSession,
  venv: string,
  inputs: Record<string, string>
): Promise<CacheSaveState['venv'] | undefined> {
  const health = await venvHealth(venv, session.expected)
  if (health.problems.length > 0) {
    warn(
      `Cache: the venv will not be saved: ${health.problems.join('; ')}. Restored, it would fail the health check and be rebuilt anyway.`
    )
    return undefined
  }
  markChecked(venv, health.checked)
  return { path: venv, key: session.keys.venv, snapshot: recordVenvContent(venv), inputs }
}

/**
 * Called once everything is installed: what the post step is to save, if anything. Nothing after
 * a hit; the venv only when this action created it, and not under a key GitHub's cache already
 * holds.
 */
export async function rememberForSave(
  session: CacheSession,
  done: {
    installed: boolean
    createdVenv?: string
    /** The files the key describes, with the digest of what was read (venv/fingerprint.ts). */
    inputs: Record<string, string>
  }
): Promise<CacheSaveState | undefined> {
  if (session.hit || !done.installed) return undefined
  if (!session.save) {
    info('Cache: cache-save is false; nothing is saved.')
    return undefined
  }
  const state: CacheSaveState = { cacheDir: session.cacheDir }
  if (done.createdVenv && (session.store.replaces || !session.venvKeyTaken)) {
    try {
      state.venv = await venvToSave(session, done.createdVenv, done.inputs)
    } catch (error) {
      warn(`Cache: the venv will not be saved: ${errorMessage(error)}`)
    }
  }
  if (session.pipDir && !session.pipExact && pipCacheIsPips(session.pipDir))
    state.pip = { path: session.pipDir, key: session.keys.pip }
  return state.venv || state.pip ? state : undefined
}
