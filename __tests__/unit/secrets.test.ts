import { describe, expect, it, vi } from 'vitest'
import * as core from '@actions/core'
import { maskUrlCredentials, redactUrlCredentials } from '../../src/report/secrets.js'

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

describe('maskUrlCredentials: tokens where a repository or an index puts them', () => {
  it.each([
    ['hg+https://hgTOKEN@host/repo#egg=x', 'hg+https://***@host/repo#egg=x', 'hgTOKEN'],
    ['svn+https://svnTOKEN@host/repo', 'svn+https://***@host/repo', 'svnTOKEN'],
    ['bzr+http://bzrTOKEN@host/repo', 'bzr+http://***@host/repo', 'bzrTOKEN'],
    ['git+https://gitTOKEN@host/o/r.git', 'git+https://***@host/o/r.git', 'gitTOKEN']
  ])('a token as the only user information of %s', (text, masked, secret) => {
    setSecret.mockClear()
    expect(maskUrlCredentials(text)).toBe(masked)
    expect(setSecret).toHaveBeenCalledWith(secret)
  })

  it.each([
    ['X-Amz-Signature', 'a1b2c3sig'],
    ['X-Amz-Credential', 'AKIAEXAMPLE%2F20250101%2Fus-east-1%2Fs3%2Faws4_request'],
    ['X-Amz-Security-Token', 'FwoGZXIvYXdzEXAMPLE'],
    ['sig', 'sv2signature'],
    ['token', 'qtoken123'],
    ['access_token', 'ya29.accessTOKEN']
  ])('a %s query parameter in a URL', (name, value) => {
    setSecret.mockClear()
    const url = `https://bucket.example/wheels/x-1.0-py3-none-any.whl?X-Amz-Date=20250101&${name}=${value}&v=1`
    const masked = maskUrlCredentials(`Downloading ${url} (12 kB)`)
    expect(masked).not.toContain(value)
    expect(masked).toContain(`${name}=***&v=1`)
    expect(masked).toContain('X-Amz-Date=20250101')
    expect(setSecret).toHaveBeenCalledWith(value)
  })

  it("registers a secret seen 10,000 times (a lock file's entries) once", () => {
    setSecret.mockClear()
    const lines = Array.from(
      { length: 10_000 },
      (_, i) => `https://__token__:onceTOKEN@host/packages/p${i}.whl?sig=onceSIG`
    )
    for (const line of lines) maskUrlCredentials(line)
    maskUrlCredentials(lines.join('\n'))
    expect(setSecret.mock.calls.map(([s]) => s).sort()).toEqual(['onceSIG', 'onceTOKEN'])
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
