import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { run } from '../../src/post.js'
import * as core from '../helpers/core.js'

vi.mock('@actions/core', () => import('../helpers/core.js'))

const states: Record<string, string> = {}

beforeEach(() => {
  core.resetCore()
  for (const name of Object.keys(states)) delete states[name]
  core.getState.mockImplementation(name => states[name] ?? '')
})
afterEach(() => {
  process.exitCode = undefined
})

it('does nothing when main saved nothing', async () => {
  await run()
  expect(core.info).not.toHaveBeenCalled()
  expect(core.warning).not.toHaveBeenCalled()
})

it('warns, and never fails, when the saved state is malformed', async () => {
  states['user-site'] = JSON.stringify({ userSite: '/u', entries: 'x', policy: 'fail' })
  states.cache = '{'
  await run()
  expect(core.warning).toHaveBeenCalledWith(expect.stringMatching(/could not audit/))
  expect(core.warning).toHaveBeenCalledWith(expect.stringMatching(/could not save/))
  expect(process.exitCode).toBeUndefined()
})
