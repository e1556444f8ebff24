import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { cacheKeys, seedKeyPrefix, type KeyContext } from '../../src/cache/key.js'
import {
  fingerprint,
  fingerprintInputs,
  FORMAT_VERSION,
  type InputRoles
} from '../../src/venv/fingerprint.js'
import type { Config } from '../../src/action/inputs.js'
import { makeConfig } from '../helpers/config.js'
import type { PythonInstall } from '../../src/python/probe.js'
import { readRequirements } from '../../src/pip/read.js'
import { newReport } from '../../src/report/run-report.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-key-'))
const file = (name: string, content: string): string => {
  fs.writeFileSync(path.join(dir, name), content)
  return path.join(dir, name)
}
const requirements = file(
  'requirements.txt',
  'alpha\n-r more.txt\n-c constraints.txt\nbeta==${BETA_VERSION}\n'
)
const more = file('more.txt', 'beta\n')
const constraints = file('constraints.txt', 'beta<3\n')
const dependency = file('pyproject.toml', '[project]\nname = "x"\n')
const other = file('setup.cfg', '[metadata]\n')

const config = makeConfig({
  workspace: dir,
  pythonVersion: '3.12',
  requirementFiles: [requirements],
  packages: ['gamma'],
  pipArgs: ['--prefer-binary'],
  cacheDependencyFiles: [dependency]
})

const python = {
  executable: '/opt/python/3.12.1/bin/python3',
  versionText: '3.12.1',
  implementation: 'cpython',
  foundBy: 'tool cache',
  prefix: '/opt/python/3.12.1',
  basePrefix: '/opt/python/3.12.1',
  pip: { version: '24.0', location: '/x' }
} as PythonInstall

const context: KeyContext = { os: 'linux', osVersion: 'ubuntu-24.04', arch: 'x64' }

const NO_ROLES: InputRoles = { requirements: [], constraints: [], groups: [] }
const roles = (): InputRoles => ({ ...NO_ROLES, requirements: config.requirementFiles })

function key(
  c: Config = config,
  p: PythonInstall = python,
  ctx: KeyContext = context,
  roles: InputRoles = { ...NO_ROLES, requirements: c.requirementFiles }
): string {
  const { inputs } = readRequirements(c, newReport())
  return cacheKeys(ctx, p, fingerprint(fingerprintInputs(c, p, { ...inputs, roles })), c.venvPath)
    .venv
}

/** Runs `call` with these variables set, then puts the environment back. */
function withEnv<T>(vars: Record<string, string>, call: () => T): T {
  const before = Object.fromEntries(Object.keys(vars).map(k => [k, process.env[k]]))
  Object.assign(process.env, vars)
  try {
    return call()
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

/** Runs `change`, takes the key, and puts the file back. */
function keyWithFile(name: string, content: string): string {
  const before = fs.readFileSync(name)
  fs.writeFileSync(name, content)
  try {
    return key()
  } finally {
    fs.writeFileSync(name, before)
  }
}

describe('the venv cache key', () => {
  const base = key()

  it('is readable, valid for the cache service and carries the cache format version', () => {
    expect(base).toMatch(
      new RegExp(
        `^venv-guard-v${FORMAT_VERSION}-venv-linux-ubuntu-24\\.04-x64-cpython-3\\.12\\.1-[0-9a-f]{16}-[0-9a-f]{64}$`
      )
    )
    expect(base.length).toBeLessThanOrEqual(512)
    expect(base).not.toContain(',')
  })

  it.each<[string, () => string]>([
    ['the OS', () => key(config, python, { ...context, os: 'darwin' })],
    ['the OS version', () => key(config, python, { ...context, osVersion: 'ubuntu-22.04' })],
    ['the architecture', () => key(config, python, { ...context, arch: 'arm64' })],
    ['the implementation', () => key(config, { ...python, implementation: 'pypy' })],
    ['the full version', () => key(config, { ...python, versionText: '3.12.2' })],
    ['the interpreter path', () => key(config, { ...python, executable: '/usr/bin/python3' })],
    ["the venv's path", () => key({ ...config, venvPath: path.join(dir, 'env') })],
    [
      'a requirements file',
      () => keyWithFile(requirements, 'alpha==1\n-r more.txt\n-c constraints.txt\n')
    ],
    ['a variable a requirements file uses', () => withEnv({ BETA_VERSION: '2.0' }, key)],
    ['a PIP_ setting that changes the result', () => withEnv({ PIP_PRE: '1' }, key)],
    [
      "pip's configuration file",
      () => {
        const conf = file('pip.conf', '[global]\npre = true\n')
        return withEnv({ PIP_CONFIG_FILE: conf }, key)
      }
    ],
    [
      'a constraints file that pip.conf names',
      () => {
        const named = file('conf-constraints.txt', 'alpha<2\n')
        const conf = file('pip-c.conf', `[install]\nconstraint =\n    ${named}\n`)
        const before = withEnv({ PIP_CONFIG_FILE: conf }, key)
        fs.writeFileSync(named, 'alpha<3\n')
        return withEnv({ PIP_CONFIG_FILE: conf }, key) === before ? base : before
      }
    ],
    ['a file included with -r', () => keyWithFile(more, 'beta==2\n')],
    ['a file included with -c', () => keyWithFile(constraints, 'beta<2\n')],
    ['packages', () => key({ ...config, packages: ['gamma', 'delta'] })],
    ['upgrade', () => key({ ...config, upgrade: ['pip'] })],
    ['pip-args', () => key({ ...config, pipArgs: [] })],
    ['a cache-dependency-path file', () => keyWithFile(dependency, '[project]\nname = "y"\n')],
    [
      'the cache-dependency-path list',
      () => key({ ...config, cacheDependencyFiles: [dependency, other] })
    ],
    [
      'the dependency groups chosen',
      () => key(config, python, context, { ...roles(), groups: ['pyproject.toml:test'] })
    ],
    [
      'a file read as constraints instead of requirements',
      () => key(config, python, context, { ...NO_ROLES, constraints: config.requirementFiles })
    ]
  ])('changes with %s', (_what, changed) => {
    expect(changed()).not.toBe(base)
  })

  it.each<[string, () => string]>([
    ['the same inputs again', () => key()],
    [
      'the version spec that found the same interpreter',
      () => key({ ...config, pythonVersion: '3.x', pythonVersionSource: 'x' })
    ],
    [
      'allow-prereleases, activate, cache-dir',
      () => key({ ...config, allowPrereleases: true, activate: false, cacheDir: '/c' })
    ],
    [
      'on-user-site, guard-later-steps, check-latest, the manifest and the token',
      () =>
        key({
          ...config,
          onUserSite: 'ignore',
          guardLaterSteps: false,
          checkLatest: true,
          pythonManifestUrl: 'https://mirror/m.json',
          pypyManifestUrl: 'https://mirror/versions.json',
          token: 't'
        })
    ],
    [
      'working-directory and workspace (same venv)',
      () => key({ ...config, workspace: '/', workingDirectory: '/' })
    ],
    [
      'how the interpreter was found, its pip',
      () => key(config, { ...python, foundBy: 'PATH', pip: null })
    ],
    [
      'a file listed twice',
      () => key({ ...config, cacheDependencyFiles: [dependency, dependency] })
    ],
    [
      'the files in another order',
      () =>
        key({ ...config, cacheDependencyFiles: [other, dependency] }) ===
        key({ ...config, cacheDependencyFiles: [dependency, other] })
          ? base
          : ''
    ],
    ['a file rewritten with the same content', () => keyWithFile(more, 'beta\n')],
    ['the environment', () => withEnv({ VENV_GUARD_TEST_RUN: String(Date.now()) }, key)],
    [
      "PIP_ settings that change only pip's talk",
      () => withEnv({ PIP_DEFAULT_TIMEOUT: '5', PIP_PROGRESS_BAR: 'off' }, key)
    ]
  ])('stays with %s', (_what, same) => {
    expect(same()).toBe(base)
  })

  it("gives pip's cache a key that changes with the venv key and a prefix of the machine only", () => {
    const keys = cacheKeys(context, python, 'f1', '/w/.venv')
    const other = cacheKeys(context, python, 'f2', '/w/.venv')
    expect(keys.pip).not.toBe(other.pip)
    expect(keys.pipPrefix).toBe(other.pipPrefix)
    expect(keys.pip.startsWith(keys.pipPrefix)).toBe(true)
    expect(cacheKeys({ ...context, arch: 'arm64' }, python, 'f1', '/w/.venv').pipPrefix).not.toBe(
      keys.pipPrefix
    )
  })

  it('gives the venv a prefix of the machine, interpreter and venv path, whatever the inputs', () => {
    const keys = cacheKeys(context, python, 'f1', '/w/.venv')
    const other = cacheKeys(context, python, 'f2', '/w/.venv')
    expect(keys.venv).not.toBe(other.venv)
    expect(keys.venvPrefix).toBe(other.venvPrefix)
    expect(keys.venv.startsWith(keys.venvPrefix)).toBe(true)
    for (const elsewhere of [
      cacheKeys(context, python, 'f1', '/w/env'),
      cacheKeys(context, { ...python, executable: '/other/python3' }, 'f1', '/w/.venv'),
      cacheKeys({ ...context, osVersion: 'ubuntu-26.04' }, python, 'f1', '/w/.venv')
    ])
      expect(elsewhere.venvPrefix).not.toBe(keys.venvPrefix)
  })

  it('gives the tool seed a prefix of the machine and the seed (interpreter and upgrade)', () => {
    const prefix = seedKeyPrefix(context, 'abc')
    expect(prefix).toMatch(/^venv-guard-v\d+-seed-linux-.+-x64-abc-$/)
    expect(seedKeyPrefix(context, 'abd')).not.toBe(prefix)
    expect(seedKeyPrefix({ ...context, arch: 'arm64' }, 'abc')).not.toBe(prefix)
  })
})

describe('docs/cache.md', () => {
  it("shows keys of the cache format in use, so that a user's cache list matches it", () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'cache.md'), 'utf8')
    const shown = [...doc.matchAll(/venv-guard-v(\d+)-/g)].map(m => m[1])
    expect(shown.length).toBeGreaterThan(0)
    expect(new Set(shown)).toEqual(new Set([FORMAT_VERSION]))
  })
})
