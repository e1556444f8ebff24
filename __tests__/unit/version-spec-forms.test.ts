import { describe, expect, it } from 'vitest'
import {
  compareVersions,
  minorsNamedBy,
  parseVersionSpec,
  parseVersionString,
  pypyVersionMatches,
  versionMatches,
  VersionSpecError,
  type PythonVersion
} from '../../src/python/version-spec.js'

function v(text: string): PythonVersion {
  const parsed = parseVersionString(text)
  if (!parsed) throw new Error(`test version ${text} does not parse`)
  return parsed
}

/** Which of the versions a spec admits. */
function admitted(spec: string, versions: string[], allowPrereleases = false): string[] {
  const parsed = parseVersionSpec(spec, allowPrereleases)
  return versions.filter(version => versionMatches(parsed, v(version)))
}

const VERSIONS = [
  '3.9.18',
  '3.10.13',
  '3.11.7',
  '3.12.0',
  '3.12.1',
  '3.13.0rc2',
  '3.13.0',
  '3.14.0a1',
  '3.14.0b3'
]

describe('parseVersionString', () => {
  it.each([
    ['3.12.1', [3, 12, 1, 'final', 0]],
    ['3.12', [3, 12, 0, 'final', 0]],
    ['3.13.0rc2', [3, 13, 0, 'candidate', 2]],
    ['3.14.0a1', [3, 14, 0, 'alpha', 1]],
    ['3.14.0b3', [3, 14, 0, 'beta', 3]],
    // The python-versions manifest and the tool cache spell pre-releases the semver way.
    ['3.13.0-rc.2', [3, 13, 0, 'candidate', 2]],
    ['3.14.0-alpha.1', [3, 14, 0, 'alpha', 1]],
    ['3.14.0-beta.3', [3, 14, 0, 'beta', 3]]
  ])('%s', (text, [major, minor, micro, releaseLevel, serial]) => {
    expect(parseVersionString(text)).toEqual({ major, minor, micro, releaseLevel, serial })
  })

  it.each(['3', 'pypy3.10', '3.12.1t', 'system', '3.12.1-dev', ''])('%s is not a version', text => {
    expect(parseVersionString(text)).toBeUndefined()
  })

  it('orders pre-releases before their release', () => {
    const sorted = ['3.13.0', '3.13.0-rc.2', '3.13.0b1', '3.12.9', '3.13.0rc1', '3.13.1']
      .map(v)
      .sort(compareVersions)
    expect(sorted.map(p => `${p.micro}${p.releaseLevel[0]}${p.serial}`)).toEqual([
      '9f0',
      '0b1',
      '0c1',
      '0c2',
      '0f0',
      '1f0'
    ])
  })
})

describe('version specs', () => {
  it.each([
    ['3.12', ['3.12.0', '3.12.1']],
    ['3.12.1', ['3.12.1']],
    ['3.x', ['3.9.18', '3.10.13', '3.11.7', '3.12.0', '3.12.1', '3.13.0']],
    ['3.12.*', ['3.12.0', '3.12.1']],
    ['>=3.10,<3.13', ['3.10.13', '3.11.7', '3.12.0', '3.12.1']],
    ['>=3.10, <3.13, !=3.11.*', ['3.10.13', '3.12.0', '3.12.1']],
    ['~=3.11', ['3.11.7', '3.12.0', '3.12.1', '3.13.0']],
    ['==3.11.7', ['3.11.7']],
    ['=3.11.7', ['3.11.7']],
    ['<=3.10', ['3.9.18']],
    ['>3.12', ['3.12.1', '3.13.0']],
    ['v3.10', ['3.10.13']],
    ['x', ['3.9.18', '3.10.13', '3.11.7', '3.12.0', '3.12.1', '3.13.0']]
  ])('%s admits only final releases', (spec, expected) => {
    expect(admitted(spec, VERSIONS)).toEqual(expected)
  })

  it.each([
    ['3.14-dev', false, ['3.14.0a1', '3.14.0b3']],
    ['3.14', true, ['3.14.0a1', '3.14.0b3']],
    ['3.14', false, []],
    ['3.13', true, ['3.13.0rc2', '3.13.0']],
    ['>=3.13', true, ['3.13.0rc2', '3.13.0', '3.14.0a1', '3.14.0b3']],
    // Naming a pre-release allows pre-releases, as in PEP 440.
    ['3.14.0b3', false, ['3.14.0b3']],
    ['3.14.0-beta.3', false, ['3.14.0b3']],
    ['>=3.14.0b1', false, ['3.14.0b3']],
    ['3.13.0rc2', false, ['3.13.0rc2']]
  ])('%s (allow-prereleases %s) admits pre-releases', (spec, allow, expected) => {
    expect(admitted(spec, VERSIONS, allow)).toEqual(expected)
  })

  it.each([
    ['3.12', { implementation: 'cpython', freeThreaded: false, allowPrereleases: false }],
    ['3.13t', { implementation: 'cpython', freeThreaded: true, allowPrereleases: false }],
    ['3.13.1t', { implementation: 'cpython', freeThreaded: true, allowPrereleases: false }],
    ['3.14t-dev', { implementation: 'cpython', freeThreaded: true, allowPrereleases: true }],
    ['pypy3.10', { implementation: 'pypy', freeThreaded: false, pypyClauses: [] }],
    ['pypy-3.10', { implementation: 'pypy', freeThreaded: false, pypyClauses: [] }],
    ['PyPy3.9', { implementation: 'pypy', freeThreaded: false }]
  ])('%s', (spec, expected) => {
    expect(parseVersionSpec(spec)).toMatchObject({ text: spec, ...expected })
  })

  it('keeps the text as written for messages', () => {
    expect(parseVersionSpec('  >=3.10 ').text).toBe('>=3.10')
  })

  it.each(['banana', '', '3.12 foo', '>=', 'pypy', '3.12-nightly', 'pypy3.10-nightly', '3.1.2.3'])(
    '%j is refused',
    spec => {
      expect(() => parseVersionSpec(spec)).toThrow(VersionSpecError)
    }
  )
})

describe('PyPy versions', () => {
  it.each([
    ['pypy3.10-7.3.12', '7.3.12', true],
    ['pypy3.10-7.3.12', '7.3.13', false],
    ['pypy-3.10-v7.3.x', '7.3.17', true],
    ['pypy-3.10-v7.3.x', '7.4.0', false],
    ['pypy3.10', '7.3.1', true]
  ])('%s and PyPy %s: %s', (spec, pypy, expected) => {
    const parsed = parseVersionSpec(spec)
    expect(versionMatches(parsed, v('3.10.14'))).toBe(true)
    expect(pypyVersionMatches(parsed, v(pypy))).toBe(expected)
  })

  it('a PyPy pre-release named in the spec allows pre-releases', () => {
    const spec = parseVersionSpec('pypy3.10-7.3.3rc1')
    expect(spec.allowPrereleases).toBe(true)
    expect(pypyVersionMatches(spec, v('7.3.3rc1'))).toBe(true)
    expect(pypyVersionMatches(spec, v('7.3.3'))).toBe(false)
  })

  it('CPython specs do not constrain the implementation version', () => {
    expect(pypyVersionMatches(parseVersionSpec('3.12'), v('3.12.1'))).toBe(true)
  })
})

describe('minorsNamedBy', () => {
  it.each([
    ['3.12', ['3.12']],
    ['3.12.1', ['3.12']],
    ['==3.11.*', ['3.11']],
    ['>=3.10,<3.13', []],
    ['3.x', []],
    ['3.13t', ['3.13']]
  ])('%s', (spec, minors) => {
    expect(minorsNamedBy(parseVersionSpec(spec))).toEqual(minors)
  })
})
