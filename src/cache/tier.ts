import * as fs from 'node:fs'
import { errorMessage } from '../report/diagnostic.js'
import { info, warn } from '../report/log.js'
import type { CacheStore, RestoredEntry } from './cache-store.js'
import { isEmptyOrAbsent } from './store.js'

/**
 * One kind of cache the action keeps (the venv, pip's cache): where it lives, under which key, how
 * it is restored in the main step, what the post step is to save of it, and how. The session
 * (session.ts) asks each tier; no step decides for one.
 */
export interface CacheTier<Saved> {
  /** For messages: `the venv`, `pip's cache`. */
  readonly what: string
  /** Restores what this run can use; true for an exact hit that can be trusted. */
  restore(store: CacheStore): Promise<boolean>
  /**
   * Once the main step's install is done (pip check passed on what it left, or not): what the post
   * step is to save, or undefined.
   */
  toSave(store: CacheStore, pipCheckPassed: boolean): Promise<Saved | undefined>
}

/**
 * What restoreInto did: nothing, for a directory that holds something, or a restore attempt (with
 * what the store listed, see RestoredEntry).
 */
export type Restored =
  { occupied: true } | { occupied: false; matched: string | undefined; entries?: readonly string[] }

/**
 * Restores a directory that is absent or empty (one that holds something is this machine's own
 * and is left alone). What a failed restore leaves behind is removed: the directory was empty
 * before, so all of it came from the failed restore.
 */
export async function restoreInto(
  store: CacheStore,
  dir: string,
  key: string,
  prefixes: string[]
): Promise<Restored> {
  if (!isEmptyOrAbsent(dir)) {
    info(`Cache: ${dir} exists already; it is used as it is, not restored.`)
    return { occupied: true }
  }
  let restored: RestoredEntry | undefined
  try {
    restored = await store.restore(dir, key, prefixes)
  } catch (error) {
    warn(`Could not restore ${dir} from ${store.name}: ${errorMessage(error)}`)
  }
  if (!restored && store.unpacksInPlace && !isEmptyOrAbsent(dir)) {
    fs.rmSync(dir, { recursive: true, force: true })
    info(`Cache: removed what the failed restore left in ${dir}.`)
  }
  return { occupied: false, matched: restored?.key, entries: restored?.entries }
}

/**
 * Saves `dir` under `key` in the post step; a failure is a warning (or, for what only speeds a
 * later run up and another job saves as well, a line in the log), never an error.
 */
export async function saveDir(
  store: CacheStore,
  dir: string,
  key: string,
  what: string,
  failure: typeof warn = warn,
  unchanged?: () => boolean
): Promise<void> {
  let saved: boolean
  try {
    saved = await store.save(dir, key, unchanged)
  } catch (error) {
    failure(`Could not save ${what} to ${store.name}: ${errorMessage(error)}`)
    return
  }
  if (saved) info(`Cache: saved ${what} to ${store.name} (${key}).`)
  else
    failure(
      `Cache: ${what} was not saved to ${store.name} (${key}); see the message above: another job may be saving the same key, or this run's token may only read the cache (pull requests from forks). The next run installs afresh.`
    )
}
