import { info } from '../report/log.js'
import type { CacheStore } from './cache-store.js'
import { pipCacheIsPips } from './pip-cache-dir.js'
import { restoreInto, type CacheTier } from './tier.js'

/** What main hands to the post step for pip's cache. */
export interface SavedPipCache {
  path: string
  key: string
}

/**
 * pip's cache directory, from the newest entry of this machine (a partial match is fine: pip
 * checks what it takes from it), saved again when it was not restored under its exact key, and
 * only while it holds pip's cache alone.
 */
export class PipTier implements CacheTier<SavedPipCache> {
  readonly what = "pip's cache"
  private exact = false

  constructor(
    private readonly dir: string,
    private readonly key: string,
    private readonly prefix: string
  ) {}

  async restore(store: CacheStore): Promise<boolean> {
    const restored = await restoreInto(store, this.dir, this.key, [this.prefix])
    const matched = restored.occupied ? undefined : restored.matched
    if (matched) info(`Cache: restored pip's cache ${this.dir} (${matched}).`)
    this.exact = matched === this.key
    return this.exact
  }

  async toSave(): Promise<SavedPipCache | undefined> {
    if (this.exact || !pipCacheIsPips(this.dir)) return undefined
    return { path: this.dir, key: this.key }
  }
}
