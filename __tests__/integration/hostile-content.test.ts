// What a repository or the job's environment holds cannot harm the run: each case is written the
// way an unlucky repository or an attacker would meet it.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeRun, errors, newRunner, runAction } from '../helpers/action.js'
import { findPython, lacks, pythonOf } from '../helpers/pythons.js'
import {
  archives,
  freshJob,
  packArchive,
  project,
  succeeded,
  warnings
} from '../helpers/cache-runs.js'

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

describe.skipIf(lacks('3.12'))('PIP_TARGET, PIP_PREFIX and PIP_ROOT in the environment', () => {
  const PLACEMENT = ['PIP_PREFIX', 'PIP_ROOT', 'PIP_TARGET']

  it('are cleared for pip runs into the venv, in one notice naming them', async () => {
    const runner = newRunner('vg-pip-target-')
    const elsewhere = path.join(runner.dir, 'elsewhere')
    fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), 'zeta\n')
    const run = await runAction(runner, {
      inputs: { 'python-path': PYTHON },
      env: Object.fromEntries(PLACEMENT.map(name => [name, elsewhere]))
    })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(fs.existsSync(elsewhere)).toBe(false)
    const named = run.annotations.filter(a => PLACEMENT.every(n => a.message.includes(n)))
    expect(named.map(a => a.level)).toEqual(['notice'])
    expect(
      execFileSync(run.outputs['python-path'], ['-c', 'import zeta; print(zeta.__file__)'], {
        encoding: 'utf8',
        cwd: runner.dir
      })
    ).toContain(path.join(runner.workspace, '.venv'))
  })

  it('with create-venv: false, stop the step before pip runs, naming them and the fix', async () => {
    const runner = newRunner('vg-pip-prefix-')
    const interpreter = path.join(runner.dir, 'base')
    execFileSync(PYTHON, ['-m', 'venv', interpreter])
    const elsewhere = path.join(runner.dir, 'elsewhere')
    fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), 'zeta\n')
    const run = await runAction(runner, {
      inputs: { 'python-path': path.join(interpreter, 'bin', 'python'), 'create-venv': 'false' },
      env: { PIP_PREFIX: elsewhere }
    })
    expect(run.exitCode, describeRun(run)).toBe(1)
    expect(errors(run)).toHaveLength(1)
    expect(errors(run)[0].message).toMatch(/PIP_PREFIX.*\n?.*create-venv: true/s)
    expect(fs.existsSync(elsewhere)).toBe(false)
    expect(run.stdout).not.toContain('Using pip')
  })
})

describe.skipIf(lacks('3.12'))(
  'constraints pip refuses are caught on their line before pip runs',
  () => {
    it.each([
      ['a -c file', { requirements: 'requirements.txt' }, '-c constraints.txt\nzeta\n'],
      ['the constraints input', { constraints: 'constraints.txt', packages: 'zeta' }, undefined]
    ])('extras, an editable and an unnamed directory in %s', async (_, inputs, requirements) => {
      const runner = newRunner('vg-constraint-kinds-')
      if (requirements)
        fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), requirements)
      fs.mkdirSync(path.join(runner.workspace, 'local'))
      fs.writeFileSync(
        path.join(runner.workspace, 'constraints.txt'),
        'zeta<9\nrequests[socks]==2.34.2\n-e ./local\n./local\n'
      )
      const run = await runAction(runner, { inputs: { 'python-path': PYTHON, ...inputs } })
      expect(run.exitCode, describeRun(run)).toBe(1)
      const found = errors(run)
        .map(e => [e.properties.file, e.properties.line, e.message])
        .sort((a, b) => Number(a[1]) - Number(b[1]))
      expect(found).toEqual([
        ['constraints.txt', '2', expect.stringContaining('Constraints cannot have extras')],
        [
          'constraints.txt',
          '3',
          expect.stringContaining('Editable requirements are not allowed as constraints')
        ],
        [
          'constraints.txt',
          '4',
          expect.stringContaining('Unnamed requirements are not allowed as constraints')
        ]
      ])
      expect(run.stdout).not.toContain('Using pip')
    })
  }
)

describe.runIf(process.getuid?.() === 0 && !lacks('3.12'))(
  'a cache-dir archive restored as root',
  () => {
    const runner = project()
    const cacheDir = path.join(runner.dir, 'cache')
    const venv = path.join(runner.workspace, '.venv')
    const main = () =>
      runAction(runner, { inputs: { 'python-version': '3.12', 'cache-dir': cacheDir } })

    /** The saved archive, rewritten by whoever can write to the cache-dir. */
    async function tamper(change: (unpacked: string) => void): Promise<void> {
      const [archive] = archives(cacheDir).venv
      const unpacked = fs.mkdtempSync(path.join(runner.dir, 'unpacked-'))
      execFileSync('tar', ['-x', '-f', archive, '-C', unpacked])
      change(path.join(unpacked, '.venv'))
      await packArchive(archive, path.join(unpacked, '.venv'))
      fs.rmSync(unpacked, { recursive: true, force: true })
    }

    it('keeps no setuid bit and no foreign owner, and refuses device nodes', async () => {
      const first = await main()
      succeeded(first)
      succeeded(await runAction(runner, { entry: 'post' }))
      const saved = fs.readFileSync(archives(cacheDir).venv[0])

      await tamper(dir => {
        const helper = path.join(dir, 'bin', 'setuid-helper')
        fs.writeFileSync(helper, '#!/bin/sh\nid\n')
        fs.chownSync(helper, 12345, 12345)
        fs.chmodSync(helper, 0o6755)
      })
      freshJob(runner)
      const restored = await main()
      succeeded(restored)
      expect(restored.outputs['cache-hit']).toBe('true')
      const helper = fs.statSync(path.join(venv, 'bin', 'setuid-helper'))
      expect(helper.mode & 0o7000).toBe(0)
      expect([helper.uid, helper.gid]).toEqual([0, 0])

      fs.writeFileSync(archives(cacheDir).venv[0], saved)
      await tamper(dir => execFileSync('mknod', [path.join(dir, 'disk'), 'b', '7', '0']))
      freshJob(runner)
      const refused = await main()
      succeeded(refused)
      expect(refused.outputs['cache-hit']).toBe('false')
      expect(fs.existsSync(path.join(venv, 'disk'))).toBe(false)
      expect(warnings(refused).join('\n')).toContain('disk')
    })
  }
)

describe.skipIf(lacks('3.12'))(
  'globs that reach outside the workspace through a symbolic link',
  () => {
    it('requirements and cache-dependency-path matches get the outside-the-workspace notice', async () => {
      const runner = newRunner('vg-glob-link-')
      const outside = path.join(runner.dir, 'outside')
      fs.mkdirSync(outside)
      fs.writeFileSync(path.join(outside, 'shared.txt'), 'zeta\n')
      fs.writeFileSync(path.join(outside, 'shared.lock'), 'anything\n')
      for (const dir of ['reqs', 'locks']) fs.mkdirSync(path.join(runner.workspace, dir))
      fs.symlinkSync(path.join(outside, 'shared.txt'), path.join(runner.workspace, 'reqs', 'a.txt'))
      fs.symlinkSync(
        path.join(outside, 'shared.lock'),
        path.join(runner.workspace, 'locks', 'a.lock')
      )
      const run = await runAction(runner, {
        inputs: {
          'python-path': PYTHON,
          requirements: 'reqs/*.txt',
          'cache-dependency-path': 'locks/*.lock'
        }
      })
      expect(run.exitCode, describeRun(run)).toBe(0)
      const outsideNotices = run.annotations
        .filter(a => a.level === 'notice' && a.message.includes('outside the workspace'))
        .map(a => a.message)
      expect(outsideNotices).toEqual([
        expect.stringContaining(path.join('reqs', 'a.txt')),
        expect.stringContaining(path.join('locks', 'a.lock'))
      ])
      expect(outsideNotices.join('\n')).toContain(path.join(outside, 'shared.txt'))
    })
  }
)
