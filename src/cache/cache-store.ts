/**
 * What a restore put in place: the key of the entry, and, where the store listed them as it
 * unpacked, every entry now in the directory (relative, with `/`, each directory before what it
 * holds), so that a caller need not look through the directory again: true right after the
 * restore, before anything else writes there.
 */
export interface RestoredEntry {
  key: string
  entries?: readonly string[]
}

/** Where cache archives live: GitHub's cache service, or a local directory (cache-dir). */
export interface CacheStore {
  /** For messages. */
  readonly name: string
  /** True when saving under a key that exists replaces the entry (GitHub's entries are immutable). */
  readonly replaces: boolean
  /**
   * True when a restore unpacks into the directory itself, so that a failed one can leave part of
   * an archive there; false when it moves in only what unpacked whole (and never touches a
   * directory another job filled meanwhile).
   */
  readonly unpacksInPlace: boolean
  /**
   * Restores `dir` from the entry with exactly `key`, else the newest whose key starts with one of
   * `prefixes`. A failure is a warning and a miss, never an error.
   */
  restore(dir: string, key: string, prefixes?: string[]): Promise<RestoredEntry | undefined>
  /**
   * Saves `dir` under `key`; false when it was not saved (the reason is in the log). `unchanged`,
   * asked again once the archive is written, tells whether `dir` is still what was checked before:
   * a process a later step left running can change it while it is archived.
   */
  save(dir: string, key: string, unchanged?: () => boolean): Promise<boolean>
}
