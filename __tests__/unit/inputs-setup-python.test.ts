import { afterEach, describe, expect, it, vi } from 'vitest'
import { readConfig } from '../../src/action/inputs.js'

function reader(inputs: Record<string, string>): (name: string) => string {
  return name => inputs[name] ?? ''
}

describe('inputs for setting Python up', () => {
  afterEach(() => vi.restoreAllMocks())

  it('default to the GitHub manifest, no check-latest, no token', async () => {
    const config = await readConfig(reader({}))
    expect(config).toMatchObject({ checkLatest: false, pythonManifestUrl: '', token: '' })
  })

  it('are read and the token is masked before anything could print it', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const config = await readConfig(
      reader({
        'check-latest': 'true',
        'python-manifest-url': ' https://mirror.example/versions-manifest.json ',
        token: 'ghs_secret'
      })
    )
    expect(config).toMatchObject({
      checkLatest: true,
      pythonManifestUrl: 'https://mirror.example/versions-manifest.json',
      token: 'ghs_secret'
    })
    expect(out.mock.calls.map(c => String(c[0])).join('')).toContain('::add-mask::ghs_secret')
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
    ]
  ])('refuse %j', async (inputs, message) => {
    await expect(readConfig(reader(inputs))).rejects.toThrow(message)
  })
})
