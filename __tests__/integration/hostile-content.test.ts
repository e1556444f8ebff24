// What a repository or the job's environment holds cannot harm the run: each case is written the
// way an unlucky repository or an attacker would meet it.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeRun, errors, newRunner, runAction } from '../helpers/action.js'
import { findPython, lacks, pythonOf } from '../helpers/pythons.js'

// Every describe below is skipped without it.
const PYTHON = findPython('3.12')?.executable ?? ''

describe.skipIf(lacks('3.12'))('the Python helpers answer on their own line', () => {
  it('a sitecustomize on PYTHONPATH that prints at exit does not fail the step', async () => {
    const runner = newRunner('vg-sitecustomize-')
    const site = path.join(runner.dir, 'site')
    fs.mkdirSync(site)
    fs.writeFileSync(
      path.join(site, 'sitecustomize.py'),
      'import atexit\natexit.register(lambda: print("goodbye from sitecustomize"))\n'
    )
    fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), 'zeta\n')
    const run = await runAction(runner, {
      inputs: { 'python-path': PYTHON },
      env: { PYTHONPATH: site }
    })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(errors(run)).toEqual([])
  })
})

describe('modules in the working directory never stand in for the interpreter’s own', () => {
  for (const minor of ['3.12', '3.9'] as const)
    it.skipIf(lacks(minor))(
      `pip.py, venv.py and compileall.py in working-directory are not run (Python ${minor})`,
      async () => {
        const runner = newRunner('vg-shadow-')
        for (const module of ['pip', 'venv', 'compileall']) {
          fs.writeFileSync(
            path.join(runner.workspace, `${module}.py`),
            `import sys\nprint("${module}.py from the workspace ran")\nsys.exit(0)\n`
          )
        }
        fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), 'zeta\n')
        const run = await runAction(runner, {
          inputs: { 'python-path': pythonOf(minor).executable }
        })
        expect(run.exitCode, describeRun(run)).toBe(0)
        expect(run.stdout).not.toContain('from the workspace ran')
        const venvPython = run.outputs['python-path']
        expect(
          execFileSync(venvPython, ['-c', 'import zeta; print(zeta.__name__)'], {
            encoding: 'utf8',
            cwd: runner.dir
          })
        ).toBe('zeta\n')
      }
    )
})
