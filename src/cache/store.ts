import * as fs from 'node:fs'
import * as path from 'node:path'
import { dirStore } from './archive.js'
import { info, warn } from '../report/log.js'
import type { CacheStore } from './cache-store.js'

/** Whether the runner offers GitHub's cache service, told without loading its client. */
export function githubCacheOffered(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.ACTIONS_CACHE_URL || (env.ACTIONS_CACHE_SERVICE_V2 && env.ACTIONS_RESULTS_URL))
}

/**
 * Runs an @actions/cache call for `dir`. The client lists paths relative to GITHUB_WORKSPACE in a
 * file for tar's --files-from, where GNU tar reads a line starting with '-' as an option; for such
 * a path (a venv named -venv) the paths are made relative to the filesystem's root instead, the
 * same on save and on restore (the entry's version depends on `dir` alone).
 */
async function withSafeRelativePath<T>(dir: string, call: () => Promise<T>): Promise<T> {
  const workspace = process.env.GITHUB_WORKSPACE
  if (!path.relative(workspace ?? process.cwd(), dir).startsWith('-')) return call()
  process.env.GITHUB_WORKSPACE = path.parse(dir).root
  try {
    return await call()
  } finally {
    if (workspace === undefined) delete process.env.GITHUB_WORKSPACE
    else process.env.GITHUB_WORKSPACE = workspace
  }
}

/** GitHub's cache service through @actions/cache, or undefined where the runner has none. */
export async function githubStore(): Promise<CacheStore | undefined> {
  // Loaded only here: the client and the Azure SDK it brings would triple the action's start-up.
  const cache = await import('@actions/cache')
  if (!cache.isFeatureAvailable()) return undefined
  return {
    name: "GitHub's cache service",
    replaces: false,
    unpacksInPlace: true,
    restore: async (dir, key, prefixes = []) => {
      const restored = await withSafeRelativePath(dir, () =>
        cache.restoreCache([dir], key, prefixes)
      )
      return restored === undefined ? undefined : { key: restored }
    },
    save: async (dir, key, unchanged) => {
      const saved = (await withSafeRelativePath(dir, () => cache.saveCache([dir], key))) !== -1
      // The entry is up already: it can only be told, and deleted by hand.
      if (saved && unchanged && !unchanged()) {
        warn(
          `Cache: ${dir} changed while it was archived and uploaded (a process a later step started?); the entry ${key} may hold those changes. Delete it: gh cache delete ${key}`
        )
      }
      return saved
    }
  }
}

/** cache-dir's archives when it is set, else GitHub's cache service where the runner offers it. */
export async function openStore(cacheDir: string): Promise<CacheStore | undefined> {
  if (cacheDir) return dirStore(cacheDir)
  const store = githubCacheOffered(process.env) ? await githubStore() : undefined
  if (!store) {
    info(
      "Cache: GitHub's cache service is not available here (no ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL); set cache-dir to cache in a local directory."
    )
  }
  return store
}

/** Only an absent or empty directory is restored into (and a pip cache saved only when it holds something). */
export function isEmptyOrAbsent(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length === 0
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
  }
}
