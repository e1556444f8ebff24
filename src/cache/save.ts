import { errorMessage } from '../report/diagnostic.js'
import { warn } from '../report/log.js'
import { savePipCache, type SavedPipCache } from './pip-tier.js'
import { openStore } from './store.js'
import { saveVenv, type SavedVenv } from './venv-tier.js'

/** What main hands to the post step for the cache: where, and what each tier is to save. */
export interface CacheSaveState {
  /** cache-dir, or '' for GitHub's cache service. */
  cacheDir: string
  venv?: SavedVenv
  pip?: SavedPipCache
}

/** The post step: saves what main asked for. Never fails the job: every problem is a warning. */
export async function saveCaches(state: CacheSaveState): Promise<void> {
  try {
    const store = await openStore(state.cacheDir)
    if (!store) return
    if (state.venv) await saveVenv(store, state.venv)
    if (state.pip) await savePipCache(store, state.pip)
  } catch (error) {
    warn(`Cache: could not save: ${errorMessage(error)}`)
  }
}
