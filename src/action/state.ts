import * as core from '@actions/core'
import type { UserSitePolicy } from './inputs.js'

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

/** What main hands to the post step for the user-site audit: the user site as main left it. */
export interface UserSiteState {
  userSite: string
  entries: string[]
  policy: UserSitePolicy
}

interface States {
  cache: CacheSaveState
  'user-site': UserSiteState
}

/** The names of the main -> post state, one per fact. */
export const State = { Cache: 'cache', UserSite: 'user-site' } as const satisfies Record<
  string,
  keyof States
>

type Check = (value: unknown) => boolean
const isString: Check = v => typeof v === 'string'
const optional =
  (check: Check): Check =>
  v =>
    v === undefined || check(v)
const shape =
  (fields: Record<string, Check>): Check =>
  v =>
    typeof v === 'object' &&
    v !== null &&
    Object.entries(fields).every(([k, check]) => check((v as Record<string, unknown>)[k]))

const CHECKS: { [K in keyof States]: Check } = {
  cache: shape({
    cacheDir: isString,
    venv: optional(
      shape({
        path: isString,
        key: isString,
        snapshot: isString,
        inputs: v =>
          typeof v === 'object' && v !== null && Object.values(v as object).every(isString)
      })
    ),
    pip: optional(shape({ path: isString, key: isString }))
  }),
  'user-site': shape({
    userSite: isString,
    entries: v => Array.isArray(v) && v.every(isString),
    policy: v => v === 'fail' || v === 'warn' || v === 'ignore'
  })
}

export function saveState<K extends keyof States>(name: K, value: States[K]): void {
  core.saveState(name, JSON.stringify(value))
}

/** What main saved under the name; undefined when it saved nothing. Throws when it is malformed. */
export function readState<K extends keyof States>(name: K): States[K] | undefined {
  const text = core.getState(name)
  if (!text) return undefined
  const value: unknown = JSON.parse(text)
  if (!CHECKS[name](value)) throw new Error(`the saved state '${name}' is malformed: ${text}`)
  return value as States[K]
}
