import * as core from '@actions/core'
import type { CacheSaveState } from '../cache/save.js'
import type { UserSiteState } from '../guard/step.js'

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
