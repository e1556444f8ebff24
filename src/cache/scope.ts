/**
 * Whether this run restores and saves caches. GitHub scopes cache entries by ref: a run reads
 * its own ref's entries and the default branch's, and writes its own ref's. Events that start on
 * the default branch for code or people outside the repository would let that code write the
 * entries every branch and pull request restores, so `cache: auto` leaves them alone; so does a
 * release build, which is built from scratch rather than from what other runs wrote.
 */

export type CacheInput = 'auto' | 'true' | 'false'

export const CACHE_INPUTS: readonly CacheInput[] = ['auto', 'true', 'false']

/** The run, as the runner describes it (GITHUB_EVENT_NAME, GITHUB_REF). */
export interface RunEvent {
  name: string
  ref: string
}

export interface CacheScope {
  restore: boolean
  save: boolean
  /** Why `auto` turned caching off, as one line for the log. */
  off?: string
}

/**
 * Events that run in the default branch's scope on behalf of someone or something that need not
 * be able to write the repository, and that workflows use to check out or run that code.
 */
const OUTSIDE_CODE_EVENTS: Record<string, string> = {
  pull_request_target: 'runs for pull requests, forks included',
  workflow_run: 'follows runs that pull requests, forks included, start',
  issue_comment: 'anyone who can comment starts it',
  discussion_comment: 'anyone who can comment starts it'
}

export function runEvent(env: NodeJS.ProcessEnv): RunEvent {
  return { name: env.GITHUB_EVENT_NAME ?? '', ref: env.GITHUB_REF ?? '' }
}

/** Why `cache: auto` is off for this run, or undefined when it is on. */
function autoOff(event: RunEvent): string | undefined {
  const outside = OUTSIDE_CODE_EVENTS[event.name]
  if (outside) {
    return `a ${event.name} event (${outside}) writes the default branch's cache, which every branch and pull request restores`
  }
  if (event.name === 'release') return 'a release is built from scratch, not from a cache'
  if (event.ref.startsWith('refs/tags/')) {
    return `a tag (${event.ref}) builds a release, which is built from scratch, not from a cache`
  }
  return undefined
}

export function cacheScope(input: CacheInput, saveInput: boolean, event: RunEvent): CacheScope {
  if (input === 'false') return { restore: false, save: false }
  if (input === 'true') return { restore: true, save: saveInput }
  const off = autoOff(event)
  if (off) {
    return {
      restore: false,
      save: false,
      off: `Cache: off (cache: auto): ${off}. Set cache: true to cache here anyway.`
    }
  }
  return { restore: true, save: saveInput }
}
