import * as os from 'node:os'
import { errorMessage } from '../report/diagnostic.js'
import { info, notify, warn } from '../report/log.js'
import { timed, type RunReport } from '../report/run-report.js'
import { currentOs, currentOsVersion } from '../platform/os.js'
import type { PythonInstall } from '../python/probe.js'
import { discardInterruptedRestore } from '../venv/marker.js'
import type { CacheStore } from './cache-store.js'
import { cacheKeys, seedKeyPrefix, type KeyContext } from './key.js'
import { pipCacheDirOf } from './pip-cache-dir.js'
import { PipTier } from './pip-tier.js'
import type { CacheSaveState } from './save.js'
import { cacheScope, runEvent, type CacheInput, type CacheScope } from './scope.js'
import { SeedTier } from './seed-tier.js'
import { openStore } from './store.js'
import { VenvTier } from './venv-tier.js'

const thisMachine = (): KeyContext => ({
  os: currentOs(),
  osVersion: currentOsVersion(),
  arch: process.arch
})

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

/** What restore needs to know of the run. */
export interface RestoreRequest {
  python: PythonInstall
  fingerprint: string
  /** The files the key describes, with the digest of what was read (venv/fingerprint.ts). */
  inputs: Record<string, string>
  /** Requirements that can change under the same key (a local project): the venv is not cached. */
  moving: string[]
  report: RunReport
}

/** What the restore found, for the outputs cache-hit and cache-key. */
export interface CacheRestore {
  /** The venv came from the cache with the exact key and passed the health check. */
  hit: boolean
  /** The venv's key, when the venv was looked up in the cache. */
  venvKey?: string
  /** An earlier venv of this interpreter and path was restored instead, for the install to update. */
  earlier?: boolean
}

/**
 * The caches of one run: whether it restores and saves (scope.ts, decided once), the store, and
 * the tiers (the venv, pip's cache) it asks to restore in the main step and to say what the post
 * step saves. The main step asks; the tiers decide.
 */
export class CacheSession {
  private venv?: VenvTier
  private pip?: PipTier
  private seed?: SeedTier
  private hit = false

  private constructor(
    private readonly settings: CacheSettings,
    private readonly scope: CacheScope,
    private readonly store: Promise<CacheStore | undefined>
  ) {}

  /**
   * Opens the store when this run caches at all, before the interpreter is probed, so that loading
   * GitHub's cache client happens while node waits for the probe. Never fails.
   */
  static open(settings: CacheSettings): CacheSession {
    const scope = cacheScope(settings.cache, settings.cacheSave, runEvent(process.env))
    if (scope.off) notify(scope.off)
    const store = scope.restore ? openQuietly(settings.cacheDir) : Promise.resolve(undefined)
    return new CacheSession(settings, scope, store)
  }

  /**
   * Restores what the cache has for this run: the venv with its exact key, then, when the venv
   * must be built, pip's cache. What an interrupted restore of an earlier run left is removed
   * first, whether this run caches or not.
   */
  async restore(request: RestoreRequest): Promise<CacheRestore> {
    const { settings } = this
    discardInterruptedRestore(settings.venvPath)
    const store = await this.store
    if (!store) return { hit: false }
    return timed(request.report, 'restore cache', async () => {
      const { python, fingerprint } = request
      const keys = cacheKeys(thisMachine(), python, fingerprint, settings.venvPath)
      if (settings.createVenv && request.moving.length === 0) {
        this.venv = new VenvTier({
          venv: settings.venvPath,
          key: keys.venv,
          prefix: keys.venvPrefix,
          expected: {
            python: {
              executable: python.executable,
              versionText: python.versionText,
              basePrefix: python.basePrefix
            },
            fingerprint
          },
          inputs: request.inputs
        })
        this.hit = await this.venv.restore(store)
      }
      const pipDir = pipCacheDirOf(
        settings.pipArgs,
        settings.workingDirectory,
        process.env,
        os.homedir()
      )
      if (pipDir) {
        this.pip = new PipTier(pipDir, keys.pip, keys.pipPrefix)
        if (!this.hit) await this.pip.restore(store)
      }
      return { hit: this.hit, venvKey: this.venv && keys.venv, earlier: this.venv?.earlier }
    })
  }

  /**
   * Restores the tool seed `seed` (install/seed.ts) into `dir`, which holds none, from the newest
   * entry of this machine and seed; true when one was restored.
   */
  async restoreSeed(dir: string, seed: string, report: RunReport): Promise<boolean> {
    const store = await this.store
    if (!store) return false
    const tier = new SeedTier(dir, seedKeyPrefix(thisMachine(), seed))
    this.seed = tier
    return timed(report, 'restore tool seed', () => tier.restore(store))
  }

  /** This run kept a new tool seed where restoreSeed looked, of the tools `tools` names. */
  seedKept(tools: string): void {
    this.seed?.keep(tools)
  }

  /**
   * Once everything is installed: what the post step is to save, if anything. Nothing after a
   * hit or a run that installed nothing, nor with cache-save: false; otherwise what each tier says.
   */
  async toSave(install: {
    installed: boolean
    pipCheckPassed: boolean
  }): Promise<CacheSaveState | undefined> {
    const store = await this.store
    if (!store || this.hit || !install.installed) return undefined
    if (!this.scope.save) {
      info('Cache: cache-save is false; nothing is saved.')
      return undefined
    }
    const state: CacheSaveState = {
      cacheDir: this.settings.cacheDir,
      venv: await this.venv?.toSave(store, install.pipCheckPassed),
      pip: await this.pip?.toSave(),
      seed: this.seed?.toSave()
    }
    return state.venv || state.pip || state.seed ? state : undefined
  }
}

async function openQuietly(cacheDir: string): Promise<CacheStore | undefined> {
  try {
    return await openStore(cacheDir)
  } catch (error) {
    warn(`Cache: could not open the cache: ${errorMessage(error)}`)
    return undefined
  }
}
