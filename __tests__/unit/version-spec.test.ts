import { describe, expect, it } from 'vitest'
import {
  onlyBefore,
  compareVersions,
  formatVersion,
  parseVersionSpec,
  parseVersionString,
  versionMatches,
  VersionSpecError
} from '../../src/python/version-spec.js'

const v = (text: string) => parseVersionString(text)!

describe('version specs', () => {
  it.each([
    ['3.12', '3.12.1', true],
    ['3.12', '3.13.0', false],
    ['3.11.7', '3.11.7', true],
    ['3.11.7', '3.11.8', false],
    ['3.x', '3.8.18', true],
    ['3', '3.13.0', true],
    ['>=3.10,<3.13', '3.12.1', true],
    ['>=3.10,<3.13', '3.13.0', false],
    ['>=3.10, <3.13', '3.9.18', false],
    ['>=3.10 <3.13', '3.10.0', true],
    ['~=3.10', '3.13.0', true],
    ['~=3.10', '4.0.0', false],
    ['~=3.10.2', '3.10.5', true],
    ['~=3.10.2', '3.11.0', false],
    ['==3.11.*', '3.11.7', true],
    ['!=3.9.*', '3.9.18', false],
    ['>=3.8,!=3.9.*', '3.10.1', true],
    ['3.14-dev', '3.14.0a1', true],
    ['3.13', '3.13.0rc1', false]
  ])('%s against %s is %s', (spec, version, expected) => {
    expect(versionMatches(parseVersionSpec(spec), v(version))).toBe(expected)
  })

  it('lets pre-releases match only when asked', () => {
    expect(versionMatches(parseVersionSpec('3.14', true), v('3.14.0b2'))).toBe(true)
  })

  it('reads implementation and free-threading', () => {
    expect(parseVersionSpec('pypy3.10')).toMatchObject({
      implementation: 'pypy',
      freeThreaded: false
    })
    expect(parseVersionSpec('pypy-3.9')).toMatchObject({ implementation: 'pypy' })
    expect(parseVersionSpec('3.13t')).toMatchObject({
      implementation: 'cpython',
      freeThreaded: true
    })
  })

  it.each(['banana', '', 'three', '3.12; rm -rf /', '>>3'])('rejects %j', spec => {
    expect(() => parseVersionSpec(spec)).toThrow(VersionSpecError)
  })

  it('orders pre-releases before the release', () => {
    const sorted = ['3.12.0', '3.12.0rc1', '3.11.9', '3.12.0a7', '3.12.1']
      .map(v)
      .sort(compareVersions)
    expect(sorted.map(formatVersion)).toEqual([
      '3.11.9',
      '3.12.0a7',
      '3.12.0rc1',
      '3.12.0',
      '3.12.1'
    ])
  })
})

describe('onlyBefore: specs that no version from the major on can satisfy', () => {
  it.each([
    ['2.5', true],
    ['2.x', true],
    ['~=2.7', true],
    ['<3', true],
    ['<3.0', true],
    ['<=2.7.18', true],
    ['>=2.6,<3', true],
    ['==2.7.*', true],
    ['3.12', false],
    ['>=2.7', false],
    ['<=3.0', false],
    ['<3.1', false],
    ['x', false],
    ['!=2.7', false]
  ])('%s: %s', (spec, expected) => {
    expect(onlyBefore(parseVersionSpec(spec), 3)).toBe(expected)
  })
})
