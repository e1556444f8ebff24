import { describe, expect, it } from 'vitest'
import { compileDisabled, planPipRuns, type InstallRequest } from '../../src/install.js'

const base: InstallRequest = {
  freshVenv: true,
  upgrade: ['pip', 'setuptools', 'wheel'],
  bundledWheels: ['/b/pip-23.2.1-py3-none-any.whl'],
  requirementFiles: ['/w/requirements.txt'],
  packages: ['-e', '.[dev]'],
  pipArgs: ['--prefer-binary'],
  usesHashes: false,
  deferCompile: true
}

describe('planPipRuns', () => {
  it('does everything in one resolver run in a fresh venv', () => {
    expect(planPipRuns(base).map(r => r.args)).toEqual([
      [
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

  it('upgrades first, then installs, in a venv that already has packages', () => {
    expect(planPipRuns({ ...base, freshVenv: false }).map(r => r.args)).toEqual([
      ['install', '--no-compile', '--prefer-binary', '--upgrade', 'pip', 'setuptools', 'wheel'],
      ['install', '--no-compile', '--prefer-binary', '-r', '/w/requirements.txt', '-e', '.[dev]']
    ])
  })

  it('keeps the upgrade apart when hashes are in use, since pip would demand hashes for it too', () => {
    expect(planPipRuns({ ...base, usesHashes: true }).map(r => r.args[r.args.length - 1])).toEqual([
      'wheel',
      '.[dev]'
    ])
  })

  it('installs what ensurepip would when the upgrade is empty', () => {
    expect(
      planPipRuns({ ...base, upgrade: [], requirementFiles: [], packages: [] }).map(r => r.args)
    ).toEqual([['install', '--no-compile', '--prefer-binary', '/b/pip-23.2.1-py3-none-any.whl']])
  })

  it('skips the upgrade of an existing venv when the upgrade is empty', () => {
    const runs = planPipRuns({ ...base, freshVenv: false, upgrade: [] })
    expect(runs).toHaveLength(1)
    expect(runs[0].args).toContain('-r')
  })

  it('lets pip compile when the action does not compile afterwards', () => {
    expect(planPipRuns({ ...base, deferCompile: false })[0].args).not.toContain('--no-compile')
  })
})

describe('compileDisabled', () => {
  it('honours --no-compile and PIP_NO_COMPILE', () => {
    expect(compileDisabled(['--no-compile'], {})).toBe(true)
    expect(compileDisabled([], { PIP_NO_COMPILE: 'yes' })).toBe(true)
    expect(compileDisabled([], {})).toBe(false)
  })
})
