import * as fs from 'node:fs'
import * as path from 'node:path'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { parse } from 'yaml'
import { Outputs, setOutput } from '../../src/action/outputs.js'
import { readState, saveState, State } from '../../src/action/state.js'
import * as core from '../helpers/core.js'

vi.mock('@actions/core', () => import('../helpers/core.js'))

beforeEach(() => core.resetCore())

describe('Outputs', () => {
  it('names exactly the outputs action.yml documents', () => {
    const action = parse(fs.readFileSync(path.resolve(__dirname, '../../action.yml'), 'utf8')) as {
      outputs: Record<string, unknown>
    }
    expect(Object.values(Outputs).sort()).toEqual(Object.keys(action.outputs).sort())
  })

  it('sets booleans as the words workflow expressions compare', () => {
    setOutput(Outputs.CacheHit, false)
    setOutput(Outputs.CleanInstall, true)
    setOutput(Outputs.VenvPath, '/w/.venv')
    expect(core.outputs()).toEqual({
      'cache-hit': 'false',
      'clean-install': 'true',
      'venv-path': '/w/.venv'
    })
  })
})

describe('main -> post state', () => {
  const saved = new Map<string, string>()
  beforeEach(() => {
    saved.clear()
    core.saveState.mockImplementation((name, value) => saved.set(name, String(value)))
    core.getState.mockImplementation(name => saved.get(name) ?? '')
  })

  it('reads back what main saved', () => {
    const cache = {
      cacheDir: '',
      venv: { path: '/w/.venv', key: 'k', snapshot: 's', inputs: { '/w/r.txt': 'd' } },
      pip: { path: '/h/.cache/pip', key: 'p' }
    }
    saveState(State.Cache, cache)
    saveState(State.UserSite, { userSite: '/u', entries: ['a-1.dist-info'], policy: 'warn' })
    expect(readState(State.Cache)).toEqual(cache)
    expect(readState(State.UserSite)).toEqual({
      userSite: '/u',
      entries: ['a-1.dist-info'],
      policy: 'warn'
    })
  })

  it('is undefined when main saved nothing', () => {
    expect(readState(State.Cache)).toBeUndefined()
  })

  it.each([
    ['cache', '{"venv":{"path":"/v"}}'],
    ['cache', '{"cacheDir":"","pip":{"path":1,"key":"k"}}'],
    ['user-site', '{"userSite":"/u","entries":[1],"policy":"fail"}'],
    ['user-site', '{"userSite":"/u","entries":[],"policy":"maybe"}'],
    ['user-site', 'null']
  ] as const)('rejects a malformed %s state: %s', (name, text) => {
    saved.set(name, text)
    expect(() => readState(name)).toThrow(`the saved state '${name}' is malformed`)
  })
})
