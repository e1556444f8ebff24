import * as fs from 'node:fs'
import { errorMessage } from '../report/diagnostic.js'
import { info, warn } from '../report/log.js'
import { fileDigest } from '../pip/input-reads.js'
import type { CacheStore } from './cache-store.js'
import { pipCacheIsPips } from './pip-cache-dir.js'
import type { SavedPipCache } from './pip-tier.js'
import type { SavedSeed } from './seed-tier.js'
import { currentVenvContent, treeDigest } from './snapshot.js'
import { isEmptyOrAbsent, openStore } from './store.js'
import { saveDir } from './tier.js'
import type { SavedVenv } from './venv-tier.js'

// The post step's side of each tier (tier.ts): only what saving needs, so that the post bundle
// stays small.

/** What main hands to the post step for the cache: where, and what each tier is to save. */
export interface CacheSaveState {
  /** cache-dir, or '' for GitHub's cache service. */
  cacheDir: string
  venv?: SavedVenv
  pip?: SavedPipCache
  seed?: SavedSeed
}

/** The post step: saves the venv main handed over, if its inputs and content are still as main left them. */
async function saveVenv(store: CacheStore, venv: SavedVenv): Promise<void> {
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
  // Asked before the archive is written and again after: a process a later step left running can change it meanwhile.
  const unchanged = (): boolean => currentVenvContent(venv.path) === venv.snapshot
  if (!unchanged()) {
    warn(
      `Cache: the venv was not saved: a later step changed it (installed, removed or edited something, bytecode included), and the cache must hold only what this action installed. Give such packages to this action's packages or requirements input instead.`
    )
    return
  }
  await saveDir(store, venv.path, venv.key, 'the venv', warn, unchanged)
}

/** The post step: saves pip's cache, if it holds something and still pip's cache alone. */
async function savePipCache(store: CacheStore, saved: SavedPipCache): Promise<void> {
  if (isEmptyOrAbsent(saved.path) || !pipCacheIsPips(saved.path)) return
  await saveDir(store, saved.path, saved.key, "pip's cache")
}

/** The post step: saves the tool seed main kept, if it is still as main kept it. */
async function saveSeed(store: CacheStore, seed: SavedSeed): Promise<void> {
  if (isEmptyOrAbsent(seed.path)) return
  const unchanged = (): boolean => treeDigest(seed.path) === seed.snapshot
  if (!unchanged()) {
    warn(
      `Cache: the tool seed ${seed.path} was not saved: a later step changed it, and the cache must hold only what pip installed.`
    )
    return
  }
  // Jobs of one interpreter each keep the same seed (a matrix): one saves it, the others need not warn.
  await saveDir(store, seed.path, seed.key, 'the tool seed', info, unchanged)
}

/** The post step: saves what main asked for. Never fails the job: every problem is a warning. */
export async function saveCaches(state: CacheSaveState): Promise<void> {
  try {
    const store = await openStore(state.cacheDir)
    if (!store) return
    if (state.venv) await saveVenv(store, state.venv)
    if (state.pip) await savePipCache(store, state.pip)
    if (state.seed) await saveSeed(store, state.seed)
  } catch (error) {
    warn(`Cache: could not save: ${errorMessage(error)}`)
  }
}
