import { describe, expect, it, vi } from 'vitest'
import {
  parsePyPyManifest,
  pypyMatches,
  pypyName,
  pypyOffers,
  type PyPyRelease
} from '../../src/python/pypy.js'
import { parseVersionSpec } from '../../src/python/version-spec.js'

vi.mock('@actions/core', () => import('../helpers/core.js'))

const file = (platform: string, arch: string, name = `${platform}-${arch}`) => ({
  filename: name,
  platform,
  arch,
  download_url: `https://downloads.example/pypy/${name}`
})

const everywhere = [
  file('linux', 'x64'),
  file('linux', 'aarch64'),
  file('darwin', 'arm64'),
  file('win64', 'x64')
]

/** Shaped as downloads.python.org/pypy/versions.json is: newest first, nightlies, pre-releases. */
const MANIFEST: PyPyRelease[] = [
  { pypy_version: 'nightly', python_version: '3.11', stable: false, files: everywhere },
  { pypy_version: '7.3.18rc1', python_version: '3.11.11', stable: false, files: everywhere },
  { pypy_version: '7.3.17', python_version: '3.10.14', stable: true, files: everywhere },
  { pypy_version: '7.3.17', python_version: '3.9.19', stable: true, files: everywhere },
  { pypy_version: '7.3.16', python_version: '3.10.14', stable: true, files: everywhere },
  {
    pypy_version: '7.3.12',
    python_version: '3.10.12',
    stable: true,
    files: [file('linux', 'x64'), file('win32', 'x64', 'old-win32'), file('darwin', 'x64')]
  },
  { pypy_version: '7.3.11', python_version: '3.9.16', stable: true, files: [file('linux', 'i686')] }
]

const linuxX64 = { platforms: ['linux'], arch: 'x64' }

describe('pypyOffers', () => {
  it('keeps what this platform and arch can run, newest PyPy first, then newest Python, no nightly', () => {
    expect(pypyOffers(MANIFEST, linuxX64).map(pypyName)).toEqual([
      'pypy3.11.11-7.3.18rc1',
      'pypy3.10.14-7.3.17',
      'pypy3.9.19-7.3.17',
      'pypy3.10.14-7.3.16',
      'pypy3.10.12-7.3.12'
    ])
    expect(pypyOffers(MANIFEST, { platforms: ['linux'], arch: 'i686' }).map(pypyName)).toEqual([
      'pypy3.9.16-7.3.11'
    ])
    expect(pypyOffers(MANIFEST, { platforms: ['darwin'], arch: 'arm64' })).toHaveLength(4)
  })

  it("takes win64's zip, and win32's where a release has no other", () => {
    const offers = pypyOffers(MANIFEST, { platforms: ['win64', 'win32'], arch: 'x64' })
    expect(offers.map(o => [pypyName(o), o.file.filename])).toEqual([
      ['pypy3.11.11-7.3.18rc1', 'win64-x64'],
      ['pypy3.10.14-7.3.17', 'win64-x64'],
      ['pypy3.9.19-7.3.17', 'win64-x64'],
      ['pypy3.10.14-7.3.16', 'win64-x64'],
      ['pypy3.10.12-7.3.12', 'old-win32']
    ])
  })

  it('marks pre-releases by the stable flag and by the PyPy version', () => {
    const stable = [
      { pypy_version: '7.3.19rc2', python_version: '3.11.12', stable: true, files: everywhere },
      { pypy_version: '7.3.19', python_version: '3.11.12', stable: false, files: everywhere }
    ]
    expect(pypyOffers(stable, linuxX64).map(o => o.stable)).toEqual([false, false])
  })
})

describe('pypyMatches', () => {
  const offers = pypyOffers(MANIFEST, linuxX64)
  const first = (spec: string, allowPrereleases = false) =>
    offers.find(o => pypyMatches(parseVersionSpec(spec, allowPrereleases), o))
  it.each([
    ['pypy3.10', 'pypy3.10.14-7.3.17'],
    ['pypy-3.10', 'pypy3.10.14-7.3.17'],
    ['pypy3.9', 'pypy3.9.19-7.3.17'],
    ['pypy3.10-v7.3.16', 'pypy3.10.14-7.3.16'],
    ['pypy3.10-7.3.x', 'pypy3.10.14-7.3.17'],
    ['pypy-3.10-v7.3.12', 'pypy3.10.12-7.3.12'],
    ['pypy3.10-v7.3.12', 'pypy3.10.12-7.3.12'],
    ['pypy3.10.12', 'pypy3.10.12-7.3.12'],
    ['pypy3.11-v7.3.18rc1', 'pypy3.11.11-7.3.18rc1'],
    ['pypy3.11', undefined],
    ['pypy3.8', undefined],
    ['pypy3.10-v7.4', undefined]
  ])('%s: %s', (spec, expected) => {
    expect(first(spec) && pypyName(first(spec)!)).toBe(expected)
  })

  it('takes a pre-release with allow-prereleases', () => {
    expect(pypyName(first('pypy3.11', true)!)).toBe('pypy3.11.11-7.3.18rc1')
    expect(pypyName(first('pypy3.x', true)!)).toBe('pypy3.11.11-7.3.18rc1')
    expect(pypyName(first('pypy3.x')!)).toBe('pypy3.10.14-7.3.17')
  })
})

describe('parsePyPyManifest', () => {
  it('accepts versions.json and masks passwords and signatures in its links', async () => {
    const core = await import('../helpers/core.js')
    const text = JSON.stringify([
      {
        pypy_version: '7.3.17',
        python_version: '3.10.14',
        stable: true,
        files: [
          {
            ...file('linux', 'x64'),
            download_url: 'https://m:PW0secret@mirror/p.tar.bz2?X-Amz-Signature=SIG0secret'
          }
        ]
      }
    ])
    expect(parsePyPyManifest(text, 'm')).toHaveLength(1)
    const masked = core.setSecret.mock.calls.map(c => c[0])
    expect(masked).toEqual(expect.arrayContaining(['PW0secret', 'SIG0secret']))
  })

  it.each([
    ['<html>rate limited</html>', /^m is not JSON/],
    ['{"pypy_version": "7.3.17"}', /^m is not a PyPy versions manifest/],
    // A python-versions manifest given as pypy-manifest-url by mistake.
    [
      '[{"version": "3.12.1", "files": [{"filename": "a", "platform": "linux", "arch": "x64", "download_url": "u"}]}]',
      /^m is not a PyPy versions manifest: a JSON list of \{pypy_version, python_version, files/
    ]
  ])('refuses %s', (text, message) => {
    expect(() => parsePyPyManifest(text, 'm')).toThrow(message)
  })
})
