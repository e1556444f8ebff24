import * as fs from 'node:fs'
import { errorMessage } from '../report/diagnostic.js'
import { info, warn } from '../report/log.js'
import { venvHealth, type HealthExpectation } from '../venv/health.js'
import {
  markChecked,
  markRestoring,
  readMarker,
  removeOwnVenv,
  restoreEnded
} from '../venv/marker.js'
import type { CacheStore } from './cache-store.js'
import { dropUnlistedBytecode, recordVenvContent, stampRestore } from './snapshot.js'
import { isEmptyOrAbsent } from './store.js'
import { restoreInto, type CacheTier } from './tier.js'

/** What main hands to the post step for the venv. */
export interface SavedVenv {
  path: string
  key: string
  /** The digest of the venv's content when main was done (snapshot.ts). */
  snapshot: string
  /** Each file the key describes, with the digest of the bytes main read. */
  inputs: Record<string, string>
}

/** What the venv tier is made from. */
export interface VenvTierRequest {
  venv: string
  key: string
  /** An earlier entry's key starts with it: a venv of this interpreter and path, to update on a miss. */
  prefix: string
  /** What a venv restored or saved under the key must be: its interpreter and fingerprint. */
  expected: HealthExpectation
  /** The files the key describes, with the digest of what was read (venv/fingerprint.ts). */
  inputs: Record<string, string>
}

/** Removes a venv restored a moment ago (restoreInto made it from nothing). */
function discardRestored(venv: string): void {
  if (readMarker(venv)?.created) removeOwnVenv(venv)
  else fs.rmSync(venv, { recursive: true, force: true })
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

/**
 * The venv: restored into nothing under its exact key, or else the newest earlier one under the
 * prefix (the same interpreter and venv path, other inputs), which the install then updates in
 * place (install/update.ts); checked before it is trusted (venv/health.ts), and saved only when
 * this action created it, passed the health check, and no entry holds its key where entries
 * cannot be replaced (GitHub's).
 */
export class VenvTier implements CacheTier<SavedVenv> {
  readonly what = 'the venv'
  /** The store has an entry under the key (GitHub's entries cannot be replaced). */
  private keyTaken = false
  /** An earlier venv was restored, to be updated: its content is what its saving job's main step left. */
  earlier = false
  /** When the venv was restored (stampRestore): its files' recorded hashes hold until then. */
  private restoredAt?: number

  constructor(private readonly request: VenvTierRequest) {}

  restore(store: CacheStore): Promise<boolean> {
    return markedWhileRestoring(this.request.venv, () => this.restoreChecked(store))
  }

  private async restoreChecked(store: CacheStore): Promise<boolean> {
    const { venv, key, prefix } = this.request
    const restored = await restoreInto(store, venv, key, [prefix])
    // A venv already there was not looked up: nothing is known about the store's entry.
    if (restored.occupied) return false
    if (restored.matched === undefined) {
      info(`Cache: no venv under ${key} in ${store.name}, nor an earlier one to update.`)
      return false
    }
    const exact = restored.matched === key
    const restoredAt = stampRestore(venv)
    this.keyTaken = exact
    // An earlier venv must be one this action made and completed, and list what it holds.
    const expected = exact
      ? this.request.expected
      : { ...this.request.expected, fingerprint: undefined }
    const dropped = dropUnlistedBytecode(venv, restored.entries)
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
      info(
        exact
          ? `Cache: restored the venv from ${store.name} (${key}); it passed the health check.`
          : `Cache: no venv under ${key} in ${store.name}; restored an earlier one of the same interpreter and path (${restored.matched}), which passed the health check, to update it.`
      )
      this.earlier = !exact
      this.restoredAt = restoredAt
      return exact
    }
    discardRestored(venv)
    if (!exact) {
      info(
        `Cache: the earlier venv ${restored.matched} is not updated: ${problems.join('; ')}. It was removed, and the venv is built afresh.`
      )
      return false
    }
    warn(
      `The venv restored from ${store.name} (${restored.matched}) is not usable: ${problems.join('; ')}. ` +
        `It was removed and is built afresh.` +
        (store.replaces
          ? ' The new one replaces the cache entry.'
          : ` Delete that cache entry (gh cache delete ${restored.matched}) so that a good one can be saved.`)
    )
    return false
  }

  /**
   * The venv to save, checked now, while main still has the interpreter it was made for: a venv
   * that fails the health check would only be rebuilt after a restore. The digest of what passed
   * pip check goes into the marker, so that the check after a restore can skip that part.
   */
  async toSave(store: CacheStore, pipCheckPassed: boolean): Promise<SavedVenv | undefined> {
    const { venv, key, expected, inputs } = this.request
    if (!readMarker(venv)?.created || (!store.replaces && this.keyTaken)) return undefined
    try {
      const health = await venvHealth(venv, { ...expected, pipCheckPassed })
      if (health.problems.length > 0) {
        warn(
          `Cache: the venv will not be saved: ${health.problems.join('; ')}. Restored, it would fail the health check and be rebuilt anyway.`
        )
        return undefined
      }
      markChecked(venv, health.checked)
      return { path: venv, key, snapshot: recordVenvContent(venv, this.restoredAt), inputs }
    } catch (error) {
      warn(`Cache: the venv will not be saved: ${errorMessage(error)}`)
      return undefined
    }
  }
}
