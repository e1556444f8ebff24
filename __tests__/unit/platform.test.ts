import { describe, expect, it } from 'vitest'
import { localeEncoding } from '../../src/platform.js'

describe('localeEncoding', () => {
  it.each([
    ['linux', 'utf-8'],
    ['darwin', 'utf-8'],
    ['win32', 'windows-1252']
  ] as const)('%s reads requirements files without a BOM as %s', (os, encoding) => {
    expect(localeEncoding(os)).toBe(encoding)
    expect(() => new TextDecoder(encoding)).not.toThrow()
  })
})
