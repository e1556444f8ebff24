import { describe, expect, it } from 'vitest'
import {
  compileDisabled,
  planPipRuns,
  resolveTogether,
  type InstallRequest
} from '../../src/pip/plan.js'

const base: InstallRequest = {
  freshVenv: true,
  upgrade: ['pip', 'setuptools', 'wheel'],
  bundledWheels: ['/b/pip-23.2.1-py3-none-any.whl'],
  requirementFiles: ['/w/requirements.txt'],
  packages: ['-e', '.[dev]'],
  pipArgs: ['--prefer-binary'],
  together: true,
  deferCompile: true
}

const plan = (request: Partial<InstallRequest>) =>
  planPipRuns({ ...base, ...request }).map(r => [r.pip, ...r.args])

describe('planPipRuns', () => {
  it('does everything in one resolver run in a fresh venv', () => {
    expect(plan({})).toEqual([
      [
        'bootstrap',
        'install',
        '--no-compile',
        '--prefer-binary',
        'pip',
        'setuptools',
        'wheel',
        '-r',
        '/w/requirements.txt',
        '-e',
        '.[dev]'
      ]
    ])
  })

  it('upgrades first, then installs with the upgraded pip, when not together', () => {
    expect(plan({ together: false })).toEqual([
      ['bootstrap', 'install', '--no-compile', '--prefer-binary', 'pip', 'setuptools', 'wheel'],
      [
        'target',
        'install',
        '--no-compile',
        '--prefer-binary',
        '-r',
        '/w/requirements.txt',
        '-e',
        '.[dev]'
      ]
    ])
  })

  it('upgrades with --upgrade in a venv that already has packages, with its own pip', () => {
    expect(plan({ freshVenv: false, together: false })).toEqual([
      [
        'target',
        'install',
        '--no-compile',
        '--prefer-binary',
        '--upgrade',
        'pip',
        'setuptools',
        'wheel'
      ],
      [
        'target',
        'install',
        '--no-compile',
        '--prefer-binary',
        '-r',
        '/w/requirements.txt',
        '-e',
        '.[dev]'
      ]
    ])
  })

  it('installs what ensurepip would when the upgrade is empty', () => {
    expect(plan({ upgrade: [], requirementFiles: [], packages: [] })).toEqual([
      ['bootstrap', 'install', '--no-compile', '--prefer-binary', '/b/pip-23.2.1-py3-none-any.whl']
    ])
  })

  it('still gives a fresh venv the bundled pip when the upgrade names only other projects', () => {
    expect(plan({ upgrade: ['setuptools==70'], requirementFiles: [], packages: [] })).toEqual([
      [
        'bootstrap',
        'install',
        '--no-compile',
        '--prefer-binary',
        'setuptools==70',
        '/b/pip-23.2.1-py3-none-any.whl'
      ]
    ])
    expect(plan({ upgrade: ['pip==24.2'], requirementFiles: [], packages: [] })[0]).not.toContain(
      '/b/pip-23.2.1-py3-none-any.whl'
    )
  })

  it('skips the upgrade of an existing venv when the upgrade is empty', () => {
    const runs = planPipRuns({ ...base, freshVenv: false, together: false, upgrade: [] })
    expect(runs).toHaveLength(1)
    expect(runs[0].args).toContain('-r')
  })

  it('lets pip compile when the action does not compile afterwards', () => {
    expect(planPipRuns({ ...base, deferCompile: false })[0].args).not.toContain('--no-compile')
  })
})

describe('resolveTogether', () => {
  const request = {
    freshVenv: true,
    usesHashes: false,
    bootstrapPipVersion: '23.2.1',
    requirementCount: 40
  }
  it('resolves a fresh venv in one run', () => {
    expect(resolveTogether(request)).toBe(true)
  })
  it('keeps the upgrade apart with hashes, since pip would demand hashes for it too', () => {
    expect(resolveTogether({ ...request, usesHashes: true })).toBe(false)
  })
  it('lets the upgraded pip resolve many requirements when the bootstrap pip is old', () => {
    expect(resolveTogether({ ...request, requirementCount: 200 })).toBe(false)
    expect(
      resolveTogether({ ...request, requirementCount: 200, bootstrapPipVersion: '24.2' })
    ).toBe(true)
  })
  it('never for a venv that already exists', () => {
    expect(resolveTogether({ ...request, freshVenv: false })).toBe(false)
  })
})

describe('compileDisabled', () => {
  it('honours --no-compile and PIP_NO_COMPILE', () => {
    expect(compileDisabled(['--no-compile'], {})).toBe(true)
    expect(compileDisabled([], { PIP_NO_COMPILE: 'yes' })).toBe(true)
    expect(compileDisabled([], {})).toBe(false)
  })
})
