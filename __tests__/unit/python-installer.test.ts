import * as tc from '@actions/tool-cache'
import { describe, expect, it } from 'vitest'
import { authFor, downloadFailure } from '../../src/python/download.js'
import {
  noMatchMessage,
  offersFor,
  parseManifest,
  toolCacheArchFor,
  type Resolution
} from '../../src/python/installer.js'
import { parseVersionSpec, parseVersionString } from '../../src/python/version-spec.js'

describe('the token', () => {
  it.each([
    ['https://raw.githubusercontent.com/actions/python-versions/main/versions-manifest.json', true],
    ['https://github.com/actions/python-versions/releases/download/3.12.1-1/x.tar.gz', true],
    ['https://api.github.com/repos/actions/python-versions', true],
    ['https://GitHub.com/a', true],
    ['http://github.com/a', false],
    ['https://github.com.evil.example/a', false],
    ['https://notgithub.com/a', false],
    ['https://mirror.example/github.com/a', false],
    ['http://127.0.0.1:8080/versions-manifest.json', false],
    ['not a url', false]
  ])('%s: sent %s', (url, sent) => {
    expect(authFor(url, 'TOKEN')).toBe(sent ? 'token TOKEN' : undefined)
  })

  it('is not sent when empty', () => {
    expect(authFor('https://github.com/a', '')).toBeUndefined()
  })
})

describe('parseManifest', () => {
  it('accepts the python-versions format', () => {
    const text = JSON.stringify([
      {
        version: '3.12.1',
        stable: true,
        files: [{ filename: 'a', platform: 'linux', arch: 'x64', download_url: 'u' }]
      }
    ])
    expect(parseManifest(text, 'm')).toHaveLength(1)
  })

  it.each([
    ['<html>rate limited</html>', /^m is not JSON/],
    ['{"version": "3.12.1"}', /^m is not a python-versions manifest/],
    [
      '[{"version": "3.12.1", "files": [{"filename": "a"}]}]',
      /^m is not a python-versions manifest/
    ]
  ])('refuses %s', (text, message) => {
    expect(() => parseManifest(text, 'm')).toThrow(message)
  })
})

const file = (platform: string, arch: string, name = `${platform}-${arch}`) => ({
  filename: name,
  platform,
  arch,
  download_url: `https://example/${name}`
})

const MANIFEST: tc.IToolRelease[] = [
  {
    version: '3.13.0-rc.2',
    stable: false,
    release_url: '',
    files: [file('linux', 'x64'), file('linux', 'x64-freethreaded')]
  },
  {
    version: '3.12.1',
    stable: true,
    release_url: '',
    files: [file('darwin', 'x64'), file('linux', 'x64'), file('win32', 'x64')]
  },
  { version: '3.12.2', stable: true, release_url: '', files: [file('darwin', 'arm64')] },
  {
    version: '3.11.7',
    stable: true,
    release_url: '',
    files: [file('linux', 'arm64'), file('linux', 'x64')]
  },
  { version: 'not-a-version', stable: true, release_url: '', files: [file('linux', 'x64')] }
]

describe('offersFor', () => {
  it.runIf(process.platform === 'linux')(
    'keeps the releases with an archive for this platform and arch, newest first',
    async () => {
      const offers = await offersFor(MANIFEST, 'x64')
      expect(offers.map(o => [o.version, o.file.filename])).toEqual([
        ['3.13.0-rc.2', 'linux-x64'],
        ['3.12.1', 'linux-x64'],
        ['3.11.7', 'linux-x64']
      ])
      expect((await offersFor(MANIFEST, 'x64-freethreaded')).map(o => o.version)).toEqual([
        '3.13.0-rc.2'
      ])
    }
  )
})

describe('toolCacheArchFor', () => {
  it('free-threaded builds have their own arch', () => {
    expect(toolCacheArchFor(parseVersionSpec('3.13t'), 'x64')).toBe('x64-freethreaded')
    expect(toolCacheArchFor(parseVersionSpec('3.13'), 'arm64')).toBe('arm64')
  })
})

function resolution(versions: string[]): Resolution {
  return {
    url: 'https://m/versions-manifest.json',
    arch: 'x64',
    offers: versions.map(version => ({
      version,
      parsed: parseVersionString(version)!,
      file: file('linux', 'x64')
    }))
  }
}

describe('noMatchMessage', () => {
  it('lists what the manifest offers', () => {
    expect(noMatchMessage(parseVersionSpec('3.7'), resolution(['3.12.1', '3.11.7']))).toBe(
      `The manifest https://m/versions-manifest.json has no release matching "3.7". It offers for ${process.platform} x64: 3.12.1, 3.11.7.`
    )
  })

  it('points at allow-prereleases when a pre-release would match', () => {
    expect(
      noMatchMessage(parseVersionSpec('3.14'), resolution(['3.14.0-beta.1', '3.13.1']))
    ).toMatch(/3\.14\.0-beta\.1 is a pre-release: set allow-prereleases: true to take it\.$/)
  })

  it('shortens a long list', () => {
    const many = Array.from({ length: 25 }, (_, i) => `3.12.${24 - i}`)
    expect(noMatchMessage(parseVersionSpec('3.7'), resolution(many))).toMatch(
      /3\.12\.5 and 5 older\.$/
    )
  })

  it('says when nothing fits the runner', () => {
    expect(noMatchMessage(parseVersionSpec('3.12'), resolution([]))).toMatch(
      /It offers nothing for \S+ x64\.$/
    )
  })
})

describe('downloadFailure', () => {
  const errno = (code: string, message = code) => Object.assign(new Error(message), { code })
  it.each([
    [new tc.HTTPError(404), /failed: HTTP 404, nothing is there/],
    [
      new tc.HTTPError(403),
      /failed: HTTP 403\. GitHub refuses or rate-limits the request: pass a token/
    ],
    [new tc.HTTPError(429), /HTTP 429/],
    [new tc.HTTPError(503), /failed despite retries: HTTP 503\.$/],
    [
      errno('ECONNRESET', 'aborted'),
      /despite retries: the connection broke off before the file was complete \(aborted\)\.$/
    ],
    [
      errno('ENOTFOUND'),
      /the runner cannot reach example\.org \(ENOTFOUND\)\. Without internet access, set python-manifest-url/
    ],
    [errno('ECONNREFUSED'), /cannot reach example\.org \(ECONNREFUSED\)/],
    [new Error('disk full'), /despite retries: disk full\.$/]
  ])('%s', (error, message) => {
    const text = downloadFailure('Python 3.12.1', 'https://example.org/a.tar.gz', error)
    expect(text).toMatch(
      /^Downloading Python 3\.12\.1 from https:\/\/example\.org\/a\.tar\.gz failed/
    )
    expect(text).toMatch(message)
  })
})
