import * as fs from 'node:fs'
import { errorMessage } from '../report/diagnostic.js'
import { fileDigest } from '../pip/input-reads.js'
import { pipCacheIsPips } from './pip-tier.js'
import { currentVenvContent } from './snapshot.js'
import type { CacheStore } from './cache-store.js'
import { isEmptyOrAbsent, openStore } from './store.js'
import { info, warn } from '../report/log.js'

/** What main hands to the post step for the cache: what to save, and where. */
export interface CacheSaveState {
  /** cache-dir, or '' for GitHub's cache service. */
  cacheDir: string
  /**
   * `snapshot`: the digest of the venv's content when main was done (cache/snapshot.ts);
   * `inputs`: each file its key describes, with the digest of the bytes main read.
   */
  venv?: { path: string; key: string; snapshot: string; inputs: Record<string, string> }
  pip?: { path: string; key: string }
}

async function saveDir(store: CacheStore, dir: string, key: string, what: string): Promise<void> {
  let saved: boolean
  try {
    saved = await store.save(dir, key)
  } catch (error) {
    warn(`Could not save ${what} to ${store.name}: ${errorMessage(error)}`)
    return
  }
  if (saved) info(`Cache: saved ${what} to ${store.name} (${key}).`)
  else
    warn(
      `Cache: ${what} was not saved to ${store.name} (${key}); see the message above: another job may be saving the same key, or this run's token may only read the cache (pull requests from forks). The next run installs afresh.`
    )
}

async function saveVenv(
  store: CacheStore,
  venv: NonNullable<CacheSaveState['venv']>
): Promise<void> {
  if (!fs.existsSync(venv.path)) {
    info(`Cache: the venv ${venv.path} is gone; nothing to save.`)
    return
  }
  const changed = Object.entries(venv.inputs)
    .filter(([file, digest]) => fileDigest(file) !== digest)
    .map(([file]) => file)
  if (changed.length > 0) {
    warn(
      `Cache: the venv was not saved: ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', ...' : ''} changed since venv-guard read ${changed.length === 1 ? 'it' : 'them'}, so pip may have installed from other bytes than the cache key describes. The next run installs afresh.`
    )
    return
  }
  if (currentVenvContent(venv.path) !== venv.snapshot) {
    warn(
      `Cache: the venv was not saved: a later step changed it (installed, removed or edited something, bytecode included), and the cache must hold only what this action installed. Give such packages to this action's packages or requirements input instead.`
    )
    return
  }
  await saveDir(store, venv.path, venv.key, 'the venv')
}

/** The post step: saves what main asked for. Never fails the job: every problem is a warning. */
export async function saveCaches(state: CacheSaveState): Promise<void> {
  try {
    const store = await openStore(state.cacheDir)
    if (!store) return
    if (state.venv) await saveVenv(store, state.venv)
    if (state.pip && !isEmptyOrAbsent(state.pip.path) && pipCacheIsPips(state.pip.path)) {
      await saveDir(store, state.pip.path, state.pip.key, "pip's cache")
    }
  } catch (error) {
    warn(`Cache: could not save: ${errorMessage(error)}`)
  }
}
