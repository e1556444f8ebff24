import { afterEach, describe, expect, it, vi } from 'vitest'
import { readConfig } from '../../src/action/inputs.js'

function reader(inputs: Record<string, string>): (name: string) => string {
  return name => inputs[name] ?? ''
}

describe('inputs for setting Python up', () => {
  afterEach(() => vi.restoreAllMocks())

  it('default to the GitHub manifest, no check-latest, no token', async () => {
    const config = await readConfig(reader({}))
    expect(config).toMatchObject({
      checkLatest: false,
      pythonManifestUrl: '',
      pypyManifestUrl: '',
      token: ''
    })
  })

  it('are read and the token is masked before anything could print it', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const config = await readConfig(
      reader({
        'check-latest': 'true',
        'python-manifest-url': ' https://mirror.example/versions-manifest.json ',
        'pypy-manifest-url': 'https://u:PW0secret@mirror.example/pypy/versions.json',
        token: 'ghs_secret'
      })
    )
    expect(config).toMatchObject({
      checkLatest: true,
      pythonManifestUrl: 'https://mirror.example/versions-manifest.json',
      pypyManifestUrl: 'https://u:PW0secret@mirror.example/pypy/versions.json',
      token: 'ghs_secret'
    })
    const printed = out.mock.calls.map(c => String(c[0])).join('')
    expect(printed).toContain('::add-mask::ghs_secret')
    expect(printed).toContain('::add-mask::PW0secret')
  })

  it.each([
    [
      { 'check-latest': 'sometimes' },
      /^Input 'check-latest' has the value "sometimes": use true or false\.$/
    ],
    [
      { 'python-manifest-url': 'ftp://mirror/m.json' },
      /^Input 'python-manifest-url' has the value "ftp:\/\/mirror\/m.json": use an http\(s\) URL/
    ],
    [
      { 'python-manifest-url': 'mirror/m.json' },
      /^Input 'python-manifest-url' has the value "mirror\/m.json"/
    ],
    [
      { 'pypy-manifest-url': 'file:///srv/versions.json' },
      /^Input 'pypy-manifest-url' has the value "file:\/\/\/srv\/versions.json": use an http\(s\) URL, or leave it empty for downloads\.python\.org\.$/
    ]
  ])('refuse %j', async (inputs, message) => {
    await expect(readConfig(reader(inputs))).rejects.toThrow(message)
  })
})
