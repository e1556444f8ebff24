// Every path to a venv ends where the recipe's fresh venv is. A project is set up by the action
// with its first inputs (main and post, with cache-dir), then its inputs change; the action runs
// again in the same workspace (the venv is rebuilt: later steps may have changed it); a fresh
// job with the new inputs restores the first job's venv and updates it; its post step saves, and
// another fresh job restores what was saved. Each of the three venvs is compared with the
// recipe's fresh one for the changed inputs: `pip freeze --all` and the venv's file tree.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeRun, newRunner, runAction, type Runner } from '../helpers/action.js'
import { findPython, lacks } from '../helpers/pythons.js'
import {
  findMirror,
  freeze,
  localPackages,
  mirrorEnv,
  recipeTemplate,
  runRecipe,
  venvTree as tree,
  type LocalPackages
} from '../helpers/recipe.js'
import { DEMO_PACKAGES, writeProject } from '../../scripts/wheelhouse.mjs'

type Files = (p: LocalPackages) => Record<string, string>

interface Change {
  name: string
  before: Files
  after: Files
  /** Variables both sides see, before and after. */
  env?: [Record<string, string>, Record<string, string>]
  /** Set-up in the workspace, before and after (local projects). */
  prepare?: [(workspace: string) => void, (workspace: string) => void]
  /** A local project is installed on every run and never cached. */
  cached?: false
  /** Every distribution that goes is replaced by pip itself (pinned): no uninstall run. */
  replacedByPip?: true
  /**
   * The requirements run that starts beside pip's answers keeps a version a new venv does not get
   * (it still satisfies): it is uninstalled and the requirements run again.
   */
  keptByPip?: true
  /** The update cannot end as a new venv (found only once pip ran): the venv is made anew. */
  madeAnew?: true
  /** What a later step of the first job did to the venv; then it is not updated in place. */
  laterStep?: (venvPython: string, p: LocalPackages) => void
}

const CHANGES: Change[] = [
  {
    name: 'a requirement removed',
    before: p => ({ 'requirements.txt': `-f ${p.wheels}\nalpha\ngamma\n` }),
    after: p => ({ 'requirements.txt': `-f ${p.wheels}\nalpha\n` })
  },
  {
    name: 'a pin downgraded',
    // omega 2 needs zeta, omega 1 does not.
    before: p => ({ 'requirements.txt': `-f ${p.wheels}\nomega==2.0.0\n` }),
    after: p => ({ 'requirements.txt': `-f ${p.wheels}\nomega==1.0.0\n` })
  },
  {
    name: 'a pin bumped (pip replaces the old version itself)',
    before: p => ({ 'requirements.txt': `-f ${p.wheels}\nalpha\nomega==1.0.0\n` }),
    after: p => ({ 'requirements.txt': `-f ${p.wheels}\nalpha\nomega == 2.0.0\n` }),
    replacedByPip: true
  },
  {
    // pip's uninstall of shared-a 1 takes the namespace's __init__.py that shared-b needs too.
    name: 'a pin bumped whose old version shares a file with a distribution that stays',
    before: p => ({ 'requirements.txt': `-f ${p.wheels}\nshared-a==1.0.0\nshared-b\n` }),
    after: p => ({ 'requirements.txt': `-f ${p.wheels}\nshared-a==2.0.0\nshared-b\n` }),
    madeAnew: true
  },
  {
    name: 'an extra dropped',
    before: p => ({ 'requirements.txt': `-f ${p.wheels}\nfancy[speed]\n` }),
    after: p => ({ 'requirements.txt': `-f ${p.wheels}\nfancy\n` })
  },
  {
    // The first run keeps fancy 1 and installs its extra's delta; a new venv gets fancy 2 and
    // zeta: delta goes again, and must be in no report of what was installed.
    name: 'an extra asked for, the installed version still satisfying',
    before: p => ({ 'requirements.txt': `-f ${p.wheels}\nfancy<2\n` }),
    after: p => ({ 'requirements.txt': `-f ${p.wheels}\nfancy[speed]\n` }),
    keptByPip: true
  },
  {
    name: 'a variable the requirements file uses',
    before: p => ({ 'requirements.txt': `-f ${p.wheels}\nalpha==\${ALPHA_VERSION}\n` }),
    after: p => ({ 'requirements.txt': `-f ${p.wheels}\nalpha==\${ALPHA_VERSION}\n` }),
    env: [{ ALPHA_VERSION: '2.0.0' }, { ALPHA_VERSION: '1.0.0' }]
  },
  {
    name: 'a constraint loosened',
    before: p => ({
      'requirements.txt': `-f ${p.wheels}\n-c constraints.txt\nalpha<3\n`,
      'constraints.txt': 'beta<2\nalpha<2\n'
    }),
    after: p => ({
      'requirements.txt': `-f ${p.wheels}\n-c constraints.txt\nalpha<3\n`,
      'constraints.txt': 'beta<3\n'
    }),
    keptByPip: true
  },
  {
    name: "a local project's dependencies edited (not in pyproject.toml)",
    before: p => ({ 'requirements.txt': `-f ${p.wheels}\n./lib/proj\n` }),
    after: p => ({ 'requirements.txt': `-f ${p.wheels}\n./lib/proj\n` }),
    prepare: [
      ws =>
        writeProject(path.join(ws, 'lib', 'proj'), {
          name: 'proj',
          version: '1.0.0',
          requires: ['gamma']
        }),
      ws =>
        writeProject(path.join(ws, 'lib', 'proj'), {
          name: 'proj',
          version: '1.0.0',
          requires: ['zeta']
        })
    ],
    cached: false
  },
  {
    name: 'a package a later step installed into the venv, then a requirement removed',
    before: p => ({ 'requirements.txt': `-f ${p.wheels}\nalpha\ngamma\n` }),
    after: p => ({ 'requirements.txt': `-f ${p.wheels}\nalpha\n` }),
    laterStep: (python, p) => pipInstall(python, p, 'omega==1.0.0')
  }
]

/** A later step's `pip install` into the venv, from the local wheels only. */
function pipInstall(venvPython: string, p: LocalPackages, name: string): void {
  execFileSync(venvPython, ['-m', 'pip', 'install', '--no-index', '-f', p.wheels, name], {
    env: { PATH: process.env.PATH ?? '', PIP_CONFIG_FILE: os.devNull },
    stdio: 'ignore'
  })
}

/** A pkgutil-style namespace package's __init__.py, which every distribution in it ships. */
const NAMESPACE = "__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n"

const PACKAGES = [
  ...DEMO_PACKAGES,
  { name: 'fancy', version: '1.0.0', extras: ['speed'], requires: ['delta; extra == "speed"'] },
  { name: 'fancy', version: '2.0.0', extras: ['speed'], requires: ['zeta; extra == "speed"'] },
  { name: 'omega', version: '1.0.0' },
  { name: 'omega', version: '2.0.0', requires: ['zeta'] },
  { name: 'shared-a', version: '1.0.0', files: { 'nsp/__init__.py': NAMESPACE } },
  { name: 'shared-a', version: '2.0.0' },
  { name: 'shared-b', version: '1.0.0', files: { 'nsp/__init__.py': NAMESPACE } }
]

const mirror = findMirror()
if (!mirror)
  console.warn('reuse differential suite skipped: pip config list names no local PyPI mirror')

describe.skipIf(!mirror || lacks('3.12'))(
  'a reused or restored venv is the recipe’s fresh venv',
  () => {
    const packages = mirror ? localPackages(PACKAGES) : undefined
    let template: string
    const python = findPython('3.12')?.executable ?? '' // the describe is skipped without it
    const runners: Runner[] = []
    beforeAll(() => {
      template = recipeTemplate(python, mirror!)
    }, 600_000)
    afterAll(() => {
      for (const dir of [...runners.map(r => r.dir), path.dirname(template)])
        fs.rmSync(dir, { recursive: true, force: true })
      if (packages) fs.rmSync(path.dirname(packages.wheels), { recursive: true, force: true })
    })

    function write(runner: Runner, files: Record<string, string>): void {
      for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(runner.workspace, file)), { recursive: true })
        fs.writeFileSync(path.join(runner.workspace, file), content)
      }
    }

    it('an update pip would leave holding two versions (PIP_IGNORE_INSTALLED) is made anew', async () => {
      const runner = newRunner('vg-rdiff-ii-')
      runners.push(runner)
      const inputs = { 'python-path': python, 'cache-dir': path.join(runner.dir, 'cache') }
      const env = { ...mirrorEnv(runner, mirror!), PIP_IGNORE_INSTALLED: '1' }
      const run = (entry?: 'post') => runAction(runner, { inputs, entry, env, timeoutMs: 280_000 })
      const venv = path.join(runner.workspace, '.venv')
      write(runner, { 'requirements.txt': `-f ${packages!.wheels}\nomega==1.0.0\n` })
      expect((await run()).exitCode).toBe(0)
      expect((await run('post')).exitCode).toBe(0)

      write(runner, { 'requirements.txt': `-f ${packages!.wheels}\nomega==2.0.0\n` })
      fs.rmSync(venv, { recursive: true })
      fs.writeFileSync(runner.state, '')
      const updated = await run()
      expect(updated.exitCode, describeRun(updated)).toBe(0)
      expect(updated.stdout, describeRun(updated)).toMatch(/updating in place/)
      expect(updated.stdout, describeRun(updated)).toMatch(/made anew/)
      const sitePackages = path.join(venv, 'lib', 'python3.12', 'site-packages')
      expect(fs.readdirSync(sitePackages).filter(name => name.startsWith('omega-'))).toEqual([
        'omega-2.0.0.dist-info'
      ])
    }, 400_000)

    for (const change of CHANGES) {
      it(
        change.name,
        async () => {
          const [envBefore, envAfter] = change.env ?? [{}, {}]
          const byRecipe = newRunner('vg-rdiff-recipe-')
          const byAction = newRunner('vg-rdiff-')
          runners.push(byRecipe, byAction)
          write(byRecipe, change.after(packages!))
          change.prepare?.[1](byRecipe.workspace)
          const recipe = runRecipe(byRecipe, template, mirror!, ['requirements.txt'], [], envAfter)
          expect(recipe.exitCode, recipe.output).toBe(0)
          const recipeVenv = path.join(byRecipe.workspace, '.venv')
          const expected = freeze(byRecipe, path.join(recipeVenv, 'bin', 'python'))
          const expectedTree = tree(recipeVenv)

          const inputs = { 'python-path': python, 'cache-dir': path.join(byAction.dir, 'cache') }
          const run = (env: Record<string, string>, entry?: 'post') =>
            runAction(byAction, {
              inputs,
              entry,
              env: { ...mirrorEnv(byAction, mirror!), ...env },
              timeoutMs: 280_000
            })
          const venv = path.join(byAction.workspace, '.venv')
          const same = (what: string, context: string) => {
            expect(freeze(byAction, path.join(venv, 'bin', 'python')), `${what}\n${context}`).toBe(
              expected
            )
            expect(tree(venv), `${what}\n${context}`).toEqual(expectedTree)
          }

          write(byAction, change.before(packages!))
          change.prepare?.[0](byAction.workspace)
          const first = await run(envBefore)
          expect(first.exitCode, describeRun(first)).toBe(0)
          expect((await run(envBefore, 'post')).exitCode).toBe(0)
          change.laterStep?.(path.join(venv, 'bin', 'python'), packages!)

          write(byAction, change.after(packages!))
          change.prepare?.[1](byAction.workspace)
          const reused = await run(envAfter)
          expect(reused.exitCode, describeRun(reused)).toBe(0)
          // Left in the workspace, where later steps may have changed it: rebuilt, never updated.
          expect(reused.stdout, describeRun(reused)).toMatch(/rebuilding it/)
          same('reused in the same workspace', describeRun(reused))

          // A fresh job with the new inputs: the first job's venv is restored and updated.
          fs.rmSync(venv, { recursive: true })
          fs.writeFileSync(byAction.state, '')
          const updated = await run(envAfter)
          expect(updated.exitCode, describeRun(updated)).toBe(0)
          expect(updated.outputs['cache-hit'], describeRun(updated)).toBe('false')
          // What the runs installed, as told, is what the venv holds.
          expect(updated.stdout, describeRun(updated)).toMatch(/Clean install/)
          if (change.cached !== false) {
            expect(updated.stdout, describeRun(updated)).toMatch(/restored an earlier one/)
            expect(updated.stdout, describeRun(updated)).toMatch(/updating in place/)
            if (change.madeAnew)
              expect(updated.stdout, describeRun(updated)).toMatch(
                /one that stays; the venv is made anew/
              )
            else expect(updated.stdout, describeRun(updated)).not.toMatch(/made anew/)
            if (change.replacedByPip)
              expect(updated.stdout, describeRun(updated)).not.toMatch(/Uninstall what/)
            if (change.keptByPip)
              expect(updated.stdout.match(/Using pip/g), describeRun(updated)).toHaveLength(2)
          }
          same('restored from the earlier entry and updated in a fresh job', describeRun(updated))
          const saved = await run(envAfter, 'post')
          expect(saved.exitCode, describeRun(saved)).toBe(0)

          fs.rmSync(venv, { recursive: true })
          fs.writeFileSync(byAction.state, '')
          const restored = await run(envAfter)
          expect(restored.exitCode, describeRun(restored)).toBe(0)
          expect(restored.outputs['cache-hit'], describeRun(restored)).toBe(
            change.cached === false ? 'false' : 'true'
          )
          same('restored in a fresh job', describeRun(restored))
        },
        400_000
      )
    }
  }
)
