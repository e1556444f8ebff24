import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeRun, errors, hermeticEnv, newRunner, runAction } from '../helpers/action.js'
import { hasSystemPython, lacks, pythonOf, SYSTEM_PYTHON, type Minor } from '../helpers/pythons.js'
import { toolWheelVersion } from '../../scripts/wheelhouse.mjs'
import { WHEELHOUSE } from '../helpers/paths.js'

function venvRun(runner: ReturnType<typeof newRunner>, python: string, args: string[]): string {
  return execFileSync(python, args, { env: hermeticEnv(runner), encoding: 'utf8' })
}

describe.each<Minor>(['3.8', '3.11', '3.12', '3.13'])('Python %s', spec => {
  it.skipIf(lacks(spec))('creates, upgrades, installs and activates', async () => {
    const python = pythonOf(spec)
    const runner = newRunner()
    fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), 'alpha==1.0.0\ngamma\n')
    const run = await runAction(runner, { inputs: { 'python-version': spec, packages: 'epsilon' } })
    expect(run.exitCode, describeRun(run)).toBe(0)
    const venv = path.join(runner.workspace, '.venv')
    expect(run.outputs['python-version']).toBe(python.version)
    // The same interpreter, whichever of its names (python3, python3.X) the action found first.
    expect(fs.realpathSync(run.outputs['base-python-path'])).toBe(
      fs.realpathSync(python.executable)
    )
    expect(run.outputs['venv-path']).toBe(venv)
    expect(run.outputs['python-path']).toBe(path.join(venv, 'bin', 'python'))
    expect(run.exportedEnv.VIRTUAL_ENV).toBe(venv)
    expect(run.addedPath).toEqual([path.join(venv, 'bin')])
    const py = run.outputs['python-path']
    expect(
      venvRun(runner, py, [
        '-c',
        'import alpha, beta, gamma, delta, epsilon, zeta; print(alpha.VERSION, beta.VERSION)'
      ])
    ).toBe('1.0.0 2.0.0\n')
    expect(venvRun(runner, py, ['-m', 'pip', '--version'])).toContain(
      `pip ${toolWheelVersion(WHEELHOUSE, 'pip', python.version)} `
    )
    expect(venvRun(runner, path.join(venv, 'bin', 'alpha-cli'), [])).toBe('alpha 1.0.0\n')
    // Byte-compiled like pip would leave it.
    expect(
      fs.readdirSync(
        path.join(
          path.dirname(
            execFileSync(py, ['-c', 'import alpha; print(alpha.__file__)'], {
              encoding: 'utf8'
            }).trim()
          ),
          '__pycache__'
        )
      ).length
    ).toBeGreaterThan(0)
    expect(run.stdout).toMatch(/::group::/)
    expect(run.stdout).toMatch(/After: pip [\d.]+, setuptools [\d.]+, wheel [\d.]+/)
    expect(errors(run)).toEqual([])
  })
})

describe.skipIf(!hasSystemPython())('Debian system python3 (PEP 668, no ensurepip bundle)', () => {
  it('gets a venv with the upgraded pip', async () => {
    const runner = newRunner()
    fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), 'alpha\n')
    const run = await runAction(runner, { inputs: { 'python-path': SYSTEM_PYTHON } })
    expect(run.exitCode, describeRun(run)).toBe(0)
    const py = run.outputs['python-path']
    expect(venvRun(runner, py, ['-c', 'import alpha; print(alpha.VERSION)'])).toBe('2.0.0\n')
    const version = venvRun(runner, py, ['-c', 'import platform; print(platform.python_version())'])
    expect(venvRun(runner, py, ['-m', 'pip', '--version'])).toContain(
      `pip ${toolWheelVersion(WHEELHOUSE, 'pip', version.trim())} `
    )
  })
})

describe.skipIf(lacks('3.11', '3.12'))('an existing venv', () => {
  it('is reused when it is current, rebuilt when its inputs changed, and says which', async () => {
    const runner = newRunner()
    fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), 'delta\n')
    const inputs = { 'python-version': '3.12' }
    expect((await runAction(runner, { inputs })).exitCode).toBe(0)
    const again = await runAction(runner, { inputs })
    expect(again.exitCode, describeRun(again)).toBe(0)
    expect(again.stdout).toContain('nothing to install')
    expect(again.stdout).not.toContain('::group::')
    fs.appendFileSync(path.join(runner.workspace, 'requirements.txt'), 'zeta\n')
    const changed = await runAction(runner, { inputs })
    expect(changed.exitCode, describeRun(changed)).toBe(0)
    expect(changed.stdout).toContain('the inputs changed since venv-guard made the venv')
    expect(venvRun(runner, changed.outputs['python-path'], ['-c', 'import zeta, delta'])).toBe('')
  })

  it('made by the user from the same interpreter is reused', async () => {
    const runner = newRunner()
    const python = pythonOf('3.11')
    execFileSync(python.executable, ['-m', 'venv', path.join(runner.workspace, 'mine')])
    const run = await runAction(runner, {
      inputs: { 'python-path': python.executable, 'venv-path': 'mine', packages: 'zeta' }
    })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(run.stdout).toContain('reusing the existing venv')
  })

  it('left incomplete by an interrupted run is rebuilt', async () => {
    const runner = newRunner()
    const inputs = { 'python-version': '3.12', packages: 'delta' }
    expect((await runAction(runner, { inputs })).exitCode).toBe(0)
    const marker = path.join(runner.workspace, '.venv', 'venv-guard.json')
    fs.writeFileSync(
      marker,
      fs.readFileSync(marker, 'utf8').replace('"complete": true', '"complete": false')
    )
    const run = await runAction(runner, { inputs })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(run.stdout).toContain('left incomplete by an interrupted run')
  })
})

describe.skipIf(lacks('3.12'))('bad input', () => {
  const cases: Array<[string, Record<string, string>, RegExp, (workspace: string) => void]> = [
    [
      'a missing requirements file',
      { requirements: 'nope.txt' },
      /Input 'requirements' has the value "nope.txt": .*does not exist/,
      () => {}
    ],
    [
      'an unknown version',
      { 'python-version': '9.99' },
      /No Python matching "9.99".*Found: .*3\.12/,
      () => {}
    ],
    [
      // Decided without reading the manifest (which would take retries offline), and what the
      // runner has is listed newest first.
      'a version no source can provide',
      { 'python-version': '2.5' },
      /^Python "2\.5" \(from input 'python-version'\) can come only from the runner itself, and it has none: the python-versions manifest has no CPython before 3\.0\. Found: 3\.13\.[^;]*; 3\.12\.[^;]*; 3\.11\.[^;]*; (3\.11\.[^;]*; )?3\.10\.[^;]*; 3\.9\.[^;]*; 3\.8\./,
      () => {}
    ],
    [
      'a version that is not one',
      { 'python-version': 'banana' },
      /Input 'python-version' has the value "banana"/,
      () => {}
    ],
    [
      'an invalid boolean',
      { 'create-venv': 'yes please' },
      /Input 'create-venv' has the value "yes please": use true or false/,
      () => {}
    ],
    [
      'an invalid cache value',
      { cache: '2' },
      /Input 'cache' has the value "2": use one of auto, true, false/,
      () => {}
    ],
    [
      'an unknown on-user-site policy',
      { 'on-user-site': 'maybe' },
      /Input 'on-user-site' has the value "maybe": use one of fail, warn, ignore/,
      () => {}
    ],
    [
      'a venv-path that is a file',
      { 'venv-path': 'file.txt' },
      /'venv-path' names .*file\.txt, which is a file/,
      ws => fs.writeFileSync(path.join(ws, 'file.txt'), 'keep me')
    ],
    [
      'a venv-path that is not a venv',
      { 'venv-path': 'src' },
      /not a virtual environment/,
      ws => {
        fs.mkdirSync(path.join(ws, 'src'))
        fs.writeFileSync(path.join(ws, 'src', 'app.py'), 'keep me')
      }
    ]
  ]
  it.each(cases)(
    '%s fails with one clear error and touches nothing',
    async (_name, inputs, message, prepare) => {
      const runner = newRunner()
      prepare(runner.workspace)
      const before = fs.readdirSync(runner.workspace, { recursive: true }).sort()
      const run = await runAction(runner, { inputs: { 'python-version': '3.12', ...inputs } })
      expect(run.exitCode).toBe(1)
      expect(errors(run), describeRun(run)).toHaveLength(1)
      expect(errors(run)[0].message).toMatch(message)
      expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .*\.js:\d+/)
      expect(fs.readdirSync(runner.workspace, { recursive: true }).sort()).toEqual(before)
    }
  )
})

describe.skipIf(lacks('3.8'))('a feature the newest pip for the interpreter cannot serve', () => {
  it('dependency groups on Python 3.8 (pip 24.2 at most): one line naming the Python needed, before the requirements run', async () => {
    const runner = newRunner()
    fs.writeFileSync(
      path.join(runner.workspace, 'pyproject.toml'),
      '[dependency-groups]\ntest = ["alpha"]\n'
    )
    const run = await runAction(runner, {
      inputs: { 'python-version': '3.8', 'dependency-groups': 'test' }
    })
    expect(run.exitCode, describeRun(run)).toBe(1)
    expect(errors(run).map(e => e.message)).toEqual([
      expect.stringMatching(
        /^dependency-groups \(pip install --group\) needs pip 25\.1 or newer, and the upgrade brought pip [\d.]+ to Python 3\.8\.\d+; pip 25\.1 runs on Python 3\.9 or newer: use python-version 3\.9 or newer\.$/
      )
    ])
    expect(run.stdout).not.toContain('no such option')
  })
})

describe.skipIf(lacks('3.12'))('what later steps get', () => {
  it('activate: false changes nothing for them; the outputs name the venv and its python', async () => {
    const runner = newRunner()
    const run = await runAction(runner, {
      inputs: { 'python-version': '3.12', packages: 'delta', activate: 'false' }
    })
    expect(run.exitCode, describeRun(run)).toBe(0)
    const venv = path.join(runner.workspace, '.venv')
    expect(run.outputs['venv-path']).toBe(venv)
    expect(run.outputs['python-path']).toBe(path.join(venv, 'bin', 'python'))
    expect(venvRun(runner, run.outputs['python-path'], ['-c', 'import delta'])).toBe('')
    // No VIRTUAL_ENV, no PATH entry, no PIP_REQUIRE_VIRTUALENV: a later pip outside the venv runs.
    expect(run.exportedEnv).toEqual({})
    expect(run.addedPath).toEqual([])
    const later = { ...hermeticEnv(runner), ...run.exportedEnv }
    execFileSync(
      pythonOf('3.12').executable,
      ['-m', 'pip', 'install', '--dry-run', '--no-deps', 'gamma'],
      { env: later, stdio: 'pipe' }
    )
  })

  it('create-venv: false requires no venv of them, and leaves venv-path and cache-key empty', async () => {
    const runner = newRunner()
    const run = await runAction(runner, {
      inputs: { 'python-version': '3.12', 'create-venv': 'false', upgrade: '' }
    })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(run.outputs['python-path']).toBe(run.outputs['base-python-path'])
    expect(run.outputs['venv-path'] ?? '').toBe('')
    expect(run.outputs['cache-key'] ?? '').toBe('')
    expect(run.exportedEnv.PIP_REQUIRE_VIRTUALENV).toBeUndefined()
    expect(run.exportedEnv.VIRTUAL_ENV).toBeUndefined()
  })
})
