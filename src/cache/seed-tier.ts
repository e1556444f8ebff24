import { info } from '../report/log.js'
import type { CacheStore } from './cache-store.js'
import { treeDigest } from './snapshot.js'
import { restoreInto } from './tier.js'

/** What main hands to the post step for the tool seed. */
export interface SavedSeed {
  path: string
  key: string
  /** The digest of the seed's content when main kept it (snapshot.ts). */
  snapshot: string
}

/**
 * The tool seed (install/seed.ts) as a cache entry of its own, for runners whose tool cache starts
 * empty (GitHub's): restored from the newest entry of this machine and seed into a tool cache that
 * has none, and saved under the tools it holds when a run kept a new one. Its content is taken when
 * main keeps it, so that a later step that changes the tool cache cannot poison the entry; whether
 * a restored seed is used at all, pip decides as for any seed (install/seeded.ts).
 */
export class SeedTier {
  private kept?: SavedSeed

  constructor(
    private readonly dir: string,
    /** Every key of this seed starts with it; the rest names the tools. */
    private readonly prefix: string
  ) {}

  async restore(store: CacheStore): Promise<boolean> {
    const restored = await restoreInto(store, this.dir, this.prefix, [this.prefix])
    const matched = restored.occupied ? undefined : restored.matched
    if (matched) info(`Cache: restored the tool seed ${this.dir} (${matched}).`)
    return matched !== undefined
  }

  /** This run kept a new seed in the directory, of the tools `tools` names: the post step saves it. */
  keep(tools: string): void {
    this.kept = { path: this.dir, key: `${this.prefix}${tools}`, snapshot: treeDigest(this.dir) }
  }

  toSave(): SavedSeed | undefined {
    return this.kept
  }
}
