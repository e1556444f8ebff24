import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  decideFallback,
  pipArgsLocation,
  resolvePipOptions,
  scanPipOutput
} from '../../src/guard/decision.js'
import { fallbackMessage } from '../../src/guard/messages.js'
import type { PipSetting, UserSiteFacts } from '../../src/guard/probe.js'
import { addedEntries, distributionLabel, isInside, misplaced } from '../../src/guard/site.js'

const facts: UserSiteFacts = {
  executable: '/opt/py/bin/python3',
  inVenv: false,
  enableUserSite: true,
  sitePackages: [
    {
      path: '/opt/py/lib/python3.12/site-packages',
      tested: '/opt/py/lib/python3.12/site-packages',
      writable: true,
      owner: 'root'
    }
  ],
  user: 'runner',
  userSite: '/home/runner/.local/lib/python3.12/site-packages',
  userBase: '/home/runner/.local',
  externallyManaged: null,
  settings: [],
  pipOnPath: []
}
const notWritable: UserSiteFacts = {
  ...facts,
  sitePackages: [{ ...facts.sitePackages[0], writable: false }]
}
const managed: UserSiteFacts = {
  ...notWritable,
  externallyManaged: { marker: '/usr/lib/python3.11/EXTERNALLY-MANAGED', error: 'Use apt.' }
}
const env = (where: string, value: string): PipSetting => ({
  key: where.slice(4).toLowerCase().replace(/_/g, '-'),
  value,
  where,
  section: ':env:'
})
const file = (section: string, key: string, value: string): PipSetting => ({
  key,
  value,
  where: '/etc/pip.conf',
  section
})

describe('decideFallback mirrors pip', () => {
  const cases: Array<[string, UserSiteFacts, string[], string]> = [
    ['writable site-packages', facts, [], ''],
    ['site-packages not writable', notWritable, [], 'site-not-writable'],
    [
      'user site disabled (PYTHONNOUSERSITE, -s)',
      { ...notWritable, enableUserSite: false },
      [],
      ''
    ],
    [
      'user site None (uid differs from euid) counts as disabled',
      { ...notWritable, enableUserSite: null },
      [],
      ''
    ],
    ['PEP 668 marker', managed, [], 'externally-managed'],
    ['PEP 668 marker in a venv is ignored', { ...managed, inVenv: true }, [], 'site-not-writable'],
    ['--break-system-packages', managed, ['--break-system-packages'], 'site-not-writable'],
    [
      'PIP_BREAK_SYSTEM_PACKAGES',
      { ...managed, settings: [env('PIP_BREAK_SYSTEM_PACKAGES', '1')] },
      [],
      'site-not-writable'
    ],
    ['PEP 668 even with --user', managed, ['--user'], 'externally-managed'],
    ['PIP_USER=1', { ...facts, settings: [env('PIP_USER', '1')] }, [], 'user-forced-by-env'],
    [
      'PIP_NO_USER=1 means user = 1',
      { ...facts, settings: [env('PIP_NO_USER', '1')] },
      [],
      'user-forced-by-env'
    ],
    [
      'PIP_NO_USER=0 forbids the fallback',
      { ...notWritable, settings: [env('PIP_NO_USER', '0')] },
      [],
      ''
    ],
    [
      'user = true in [global]',
      { ...facts, settings: [file('global', 'user', 'true')] },
      [],
      'user-forced-by-config'
    ],
    [
      'the variable wins over the file',
      { ...facts, settings: [file('install', 'user', 'yes'), env('PIP_USER', 'off')] },
      [],
      ''
    ],
    ['--user on purpose is no fallback', notWritable, ['--user'], ''],
    [
      '--no-user in pip-args beats PIP_USER',
      { ...facts, settings: [env('PIP_USER', '1')] },
      ['--no-user'],
      ''
    ],
    ['--target skips both checks', managed, ['--target', '/t'], ''],
    ['--prefix=/p skips both checks', managed, ['--prefix=/p'], ''],
    [
      "an invalid value is pip's error, not a setting",
      { ...notWritable, settings: [env('PIP_USER', 'maybe')] },
      [],
      'site-not-writable'
    ]
  ]
  it.each(cases)('%s', (_name, f, args, reason) => {
    expect(decideFallback(f, args).reason).toBe(reason)
  })

  it('names the blocked directory and the setting that forces a user install', () => {
    expect(decideFallback(notWritable, []).blocked?.path).toBe(
      '/opt/py/lib/python3.12/site-packages'
    )
    const forced = decideFallback({ ...facts, settings: [file('global', 'user', 'true')] }, [])
    expect(forced.user).toMatchObject({
      source: 'config',
      where: '[global] of /etc/pip.conf',
      text: 'user = true'
    })
    expect(decideFallback(notWritable, ['--user']).deliberateUser).toBe(true)
  })
})

describe('resolvePipOptions', () => {
  it('applies [global], [install], then variables, the last one winning', () => {
    const options = resolvePipOptions([
      file('global', 'no-user', 'yes'),
      file('install', 'require-venv', 'true'),
      env('PIP_REQUIRE_VIRTUALENV', 'false')
    ])
    expect(options.user).toMatchObject({ value: true, source: 'config' })
    expect(options.requireVirtualenv).toMatchObject({
      value: false,
      where: 'PIP_REQUIRE_VIRTUALENV'
    })
  })
})

describe('pipArgsLocation', () => {
  it('reads the last of --user and --no-user, and the options that redirect', () => {
    expect(pipArgsLocation(['--user', '-q', '--no-user'])).toEqual({
      user: false,
      breakSystemPackages: false,
      redirected: false
    })
    expect(pipArgsLocation(['-t', 'dir']).redirected).toBe(true)
    expect(pipArgsLocation(['--root=/r']).redirected).toBe(true)
  })
})

describe('fallbackMessage', () => {
  it('says what, why (path, owner, user) and the fixes in order', () => {
    const message = fallbackMessage(
      {
        ...notWritable,
        pipOnPath: [
          { command: 'pip', path: '/usr/bin/pip', python: '/usr/bin/python3', matches: false }
        ]
      },
      decideFallback(notWritable, []),
      'Stopped.'
    )
    expect(message).toContain(
      '/opt/py/lib/python3.12/site-packages is not writable by runner (it belongs to root)'
    )
    expect(message).toContain('/home/runner/.local/lib/python3.12/site-packages')
    expect(message).toMatch(/1\) use a venv.*2\) run the job as root.*3\) .*pip-args: --user/)
    expect(message).toContain('`pip` (/usr/bin/pip) runs /usr/bin/python3')
  })

  it("quotes the distributor's PEP 668 text and offers --break-system-packages last", () => {
    const message = fallbackMessage(managed, decideFallback(managed, []), '')
    expect(message).toContain('The distributor says: Use apt.')
    expect(message).toMatch(/3\) only if breaking .*--break-system-packages/)
  })

  it('explains that PIP_NO_USER=1 forces a user install', () => {
    const f = { ...facts, settings: [env('PIP_NO_USER', '1')] }
    expect(fallbackMessage(f, decideFallback(f, []), '')).toMatch(
      /PIP_NO_USER=1 in the environment forces user installs \(pip takes/
    )
  })
})

describe('scanPipOutput', () => {
  it('finds the fallback, the PEP 668 refusal and scripts off PATH', () => {
    const output = [
      'Defaulting to user installation because normal site-packages is not writeable',
      "  WARNING: The scripts pip, pip3 are installed in '/home/u/.local/bin' which is not on PATH.",
      'error: externally-managed-environment'
    ].join('\n')
    expect(scanPipOutput(output)).toEqual([
      { kind: 'fallback' },
      { kind: 'externally-managed' },
      { kind: 'scripts-off-path', dir: '/home/u/.local/bin' }
    ])
    expect(scanPipOutput('Successfully installed alpha-2.0.0')).toEqual([])
  })
})

describe('user site bookkeeping', () => {
  it('labels, diffs and places distributions', () => {
    expect(distributionLabel('Mixed_Case.Name-1.0.dist-info')).toBe('Mixed_Case.Name 1.0')
    expect(distributionLabel('old-1.2-py3.8.egg-info')).toBe('old 1.2')
    expect(addedEntries(['a-1.dist-info'], ['a-1.dist-info', 'a-2.dist-info'])).toEqual([
      'a-2.dist-info'
    ])
    expect(isInside('/home/u/.local/bin', '/home/u/.local')).toBe(true)
    expect(isInside('/home/u/.localx', '/home/u/.local')).toBe(false)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-unit-'))
    fs.mkdirSync(path.join(dir, 'alpha-2.0.0.dist-info'))
    const installed = [
      { name: 'alpha', version: '2.0.0' },
      { name: 'beta', version: '2.0.0' }
    ]
    expect(misplaced(installed, [dir]).map(p => p.name)).toEqual(['beta'])
    fs.rmSync(dir, { recursive: true })
  })
})
