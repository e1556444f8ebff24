import { describe, expect, it } from 'vitest'
import { cacheScope, runEvent, type CacheInput, type RunEvent } from '../../src/cache/scope.js'

const push: RunEvent = { name: 'push', ref: 'refs/heads/main' }

describe('cache scope: the decision table', () => {
  const table: [CacheInput, boolean, RunEvent, boolean, boolean][] = [
    // input, cache-save, event → restore, save
    ['false', true, push, false, false],
    ['false', true, { name: 'pull_request_target', ref: 'refs/heads/main' }, false, false],
    ['true', true, push, true, true],
    ['true', false, push, true, false],
    ['true', true, { name: 'pull_request_target', ref: 'refs/heads/main' }, true, true],
    ['true', true, { name: 'push', ref: 'refs/tags/v1.0' }, true, true],
    ['auto', true, push, true, true],
    ['auto', false, push, true, false],
    ['auto', true, { name: 'pull_request', ref: 'refs/pull/7/merge' }, true, true],
    ['auto', true, { name: 'schedule', ref: 'refs/heads/main' }, true, true],
    ['auto', true, { name: 'workflow_dispatch', ref: 'refs/heads/dev' }, true, true],
    ['auto', true, { name: 'merge_group', ref: 'refs/heads/gh-readonly-queue/main/x' }, true, true],
    ['auto', true, { name: '', ref: '' }, true, true],
    ['auto', true, { name: 'pull_request_target', ref: 'refs/heads/main' }, false, false],
    ['auto', true, { name: 'workflow_run', ref: 'refs/heads/main' }, false, false],
    ['auto', true, { name: 'issue_comment', ref: 'refs/heads/main' }, false, false],
    ['auto', true, { name: 'discussion_comment', ref: 'refs/heads/main' }, false, false],
    ['auto', true, { name: 'release', ref: 'refs/tags/v1.0' }, false, false],
    ['auto', true, { name: 'push', ref: 'refs/tags/v1.0' }, false, false],
    ['auto', true, { name: 'workflow_dispatch', ref: 'refs/tags/v1.0' }, false, false],
    ['auto', false, { name: 'issue_comment', ref: 'refs/heads/main' }, false, false]
  ]
  it.each(table)(
    'cache: %s, cache-save: %s, %o → restore %s, save %s',
    (input, save, event, r, s) => {
      const scope = cacheScope(input, save, event)
      expect([scope.restore, scope.save]).toEqual([r, s])
      // Only auto explains itself, and only when it turns caching off.
      expect(scope.off !== undefined).toBe(input === 'auto' && !r)
    }
  )

  it('says why in one line, and how to cache anyway', () => {
    const target = cacheScope('auto', true, { name: 'pull_request_target', ref: 'refs/heads/main' })
    expect(target.off).toBe(
      "Cache: off (cache: auto): a pull_request_target event (runs for pull requests, forks included) writes the default branch's cache, which every branch and pull request restores. Set cache: true to cache here anyway."
    )
    const tag = cacheScope('auto', true, { name: 'push', ref: 'refs/tags/v2' })
    expect(tag.off).toContain('a tag (refs/tags/v2) builds a release')
    for (const scope of [target, tag]) expect(scope.off).not.toContain('\n')
  })
})

describe('runEvent', () => {
  it("reads the runner's event name and ref", () => {
    expect(runEvent({ GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/x' })).toEqual({
      name: 'push',
      ref: 'refs/heads/x'
    })
    expect(runEvent({})).toEqual({ name: '', ref: '' })
  })
})
