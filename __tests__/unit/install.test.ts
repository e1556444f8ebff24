import { describe, expect, it } from 'vitest'
import { compileDisabled, planPipRuns, type InstallRequest } from '../../src/pip/plan.js'

const base: InstallRequest = {
  freshVenv: true,
  upgrade: ['pip', 'setuptools', 'wheel'],
  bundledWheels: ['/b/pip-23.2.1-py3-none-any.whl'],
  requirementFiles: ['/w/requirements.txt'],
  groups: [],
  constraintFiles: [],
  packages: ['-e', '.[dev]'],
  pipArgs: ['--prefer-binary'],
  deferCompile: true
}

const plan = (request: Partial<InstallRequest>) =>
  planPipRuns({ ...base, ...request }).map(r => [r.pip, ...r.args])

describe('planPipRuns', () => {
  it('upgrades a fresh venv on its own, then installs with the upgraded pip, as the recipe does', () => {
    expect(plan({})).toEqual([
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
    expect(plan({ freshVenv: false })).toEqual([
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
    const runs = planPipRuns({ ...base, freshVenv: false, upgrade: [] })
    expect(runs).toHaveLength(1)
    expect(runs[0].args).toContain('-r')
  })

  it("installs the requirements with the venv's own bundled pip when the upgrade is empty", () => {
    expect(plan({ upgrade: [] })).toEqual([
      ['bootstrap', 'install', '--no-compile', '--prefer-binary', '/b/pip-23.2.1-py3-none-any.whl'],
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

  it('installs the requirements with the bootstrap pip only when a fresh venv gets no pip at all', () => {
    expect(plan({ upgrade: [], bundledWheels: [] })).toEqual([
      [
        'bootstrap',
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

  it('says which run is the upgrade and which the requirements', () => {
    expect(planPipRuns(base).map(r => r.kind)).toEqual(['upgrade', 'requirements'])
  })

  it('lets pip compile when the action does not compile afterwards', () => {
    expect(planPipRuns({ ...base, deferCompile: false })[0].args).not.toContain('--no-compile')
  })
})

describe('groups, lock files and constraints', () => {
  it('go to the requirements only, installed by the upgraded pip in a run of their own', () => {
    const runs = plan({
      requirementFiles: ['/w/pylock.toml'],
      groups: ['test', 'sub/pyproject.toml:docs'],
      constraintFiles: ['/w/c.txt'],
      packages: []
    })
    expect(runs).toEqual([
      ['bootstrap', 'install', '--no-compile', '--prefer-binary', 'pip', 'setuptools', 'wheel'],
      [
        'target',
        'install',
        '--no-compile',
        '--prefer-binary',
        '-c',
        '/w/c.txt',
        '-r',
        '/w/pylock.toml',
        '--group',
        'test',
        '--group',
        'sub/pyproject.toml:docs'
      ]
    ])
  })

  it('constraints alone install nothing', () => {
    const runs = plan({
      requirementFiles: [],
      packages: [],
      constraintFiles: ['/w/c.txt'],
      freshVenv: false
    })
    expect(runs.map(run => run.slice(-4))).toEqual([['--upgrade', 'pip', 'setuptools', 'wheel']])
  })
})

describe('compileDisabled', () => {
  it('honours --no-compile and PIP_NO_COMPILE', () => {
    expect(compileDisabled(['--no-compile'], {})).toBe(true)
    expect(compileDisabled([], { PIP_NO_COMPILE: 'yes' })).toBe(true)
    expect(compileDisabled([], {})).toBe(false)
  })
})
