import { describe, expect, it, vi } from 'vitest'
import * as core from '@actions/core'
import { maskUrlCredentials, redactUrlCredentials } from '../../src/action/secrets.js'

vi.mock('@actions/core', async importOriginal => ({
  ...(await importOriginal<typeof import('@actions/core')>()),
  setSecret: vi.fn()
}))
const setSecret = vi.mocked(core.setSecret)

describe('maskUrlCredentials', () => {
  it.each([
    ['https://user:token@host/simple', 'https://user:***@host/simple'],
    [
      '--index-url https://__token__:p@ss@host/simple x',
      '--index-url https://__token__:***@host/simple x'
    ],
    ['https://TOKEN@host/simple', 'https://***@host/simple'],
    ['git+ssh://git@github.com/o/r.git', 'git+ssh://git@github.com/o/r.git'],
    ['https://host/simple', 'https://host/simple'],
    // As urllib and pip split it: the last '@' ends the user information, the first ':' the user.
    ['https://me@corp.example:TOKEN@host/simple', 'https://me@corp.example:***@host/simple'],
    ['https://:TOKEN@host', 'https://:***@host'],
    ['https://TOKEN:@host/simple', 'https://***@host/simple'],
    ["'http://u:p%40ss@127.0.0.1:8080?x=1'", "'http://u:***@127.0.0.1:8080?x=1'"],
    ['see https://host/a@b and http://u:t@h', 'see https://host/a@b and http://u:***@h']
  ])('%s', (text, masked) => {
    expect(maskUrlCredentials(text)).toBe(masked)
  })

  it('leaves an unset ${VAR} as written: a placeholder, not a secret to mask everywhere', () => {
    setSecret.mockClear()
    for (const url of ['https://user:${TOKEN}@host/simple', 'git+https://${TOKEN}@host/o/r.git']) {
      expect(maskUrlCredentials(url)).toBe(url)
    }
    expect(setSecret).not.toHaveBeenCalled()
  })
})

describe('redactUrlCredentials', () => {
  it('hides credentials without registering them', () => {
    setSecret.mockClear()
    expect(redactUrlCredentials('git clone https://u:tok@h/r.git')).toBe(
      'git clone https://u:***@h/r.git'
    )
    expect(setSecret).not.toHaveBeenCalled()
  })
})
