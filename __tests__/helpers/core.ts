/**
 * A typed stand-in for @actions/core, for unit tests of the steps' logic (as
 * actions/typescript-action's __fixtures__/core.ts): `vi.mock('@actions/core', () =>
 * import('../helpers/core.js'))`, then assert on the calls. getInput and getState read the
 * runner's variables, as the real ones do, unless a test replaces them.
 */
import type * as core from '@actions/core'
import { vi } from 'vitest'

export const debug = vi.fn<typeof core.debug>()
export const info = vi.fn<typeof core.info>()
export const notice = vi.fn<typeof core.notice>()
export const warning = vi.fn<typeof core.warning>()
export const error = vi.fn<typeof core.error>()
export const setFailed = vi.fn<typeof core.setFailed>()
export const setOutput = vi.fn<typeof core.setOutput>()
export const setSecret = vi.fn<typeof core.setSecret>()
export const exportVariable = vi.fn<typeof core.exportVariable>()
export const addPath = vi.fn<typeof core.addPath>()
export const saveState = vi.fn<typeof core.saveState>()
export const getState = vi.fn<typeof core.getState>(name => process.env[`STATE_${name}`] ?? '')
export const getInput = vi.fn<typeof core.getInput>(
  name => process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? ''
)
export const group = vi.fn(<T>(_name: string, fn: () => Promise<T>): Promise<T> => fn())

/** The calls of a mock, reset between tests. */
export function resetCore(): void {
  for (const mock of [
    debug,
    info,
    notice,
    warning,
    error,
    setFailed,
    setOutput,
    setSecret,
    exportVariable,
    addPath,
    saveState,
    getState,
    getInput,
    group
  ])
    mock.mockClear()
}

/** The outputs set so far, by name (the last value wins, as on the runner). */
export function outputs(): Record<string, string> {
  return Object.fromEntries(setOutput.mock.calls.map(([name, value]) => [name, String(value)]))
}
