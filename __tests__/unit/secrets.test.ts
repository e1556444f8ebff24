import { describe, expect, it } from 'vitest'
import { maskUrlCredentials } from '../../src/action/secrets.js'

describe('maskUrlCredentials', () => {
  it.each([
    ['https://user:token@host/simple', 'https://user:***@host/simple'],
    [
      '--index-url https://__token__:p@ss@host/simple x',
      '--index-url https://__token__:***@host/simple x'
    ],
    ['https://TOKEN@host/simple', 'https://***@host/simple'],
    ['git+ssh://git@github.com/o/r.git', 'git+ssh://git@github.com/o/r.git'],
    ['https://host/simple', 'https://host/simple']
  ])('%s', (text, masked) => {
    expect(maskUrlCredentials(text)).toBe(masked)
  })
})
