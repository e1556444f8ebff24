// The venv the action leaves equals the recipe's: each project below goes through
//   python -m venv .venv && .venv/bin/python -m pip install -U pip setuptools wheel
//   && .venv/bin/python -m pip install -r requirements.txt
// and through the bundle, side by side: same exit status, same `pip freeze --all`, and a failure
// annotated on the line that caused it. pip/setuptools/wheel come from the machine's local mirror
// of real PyPI files, named explicitly to both sides; the project's own packages are built here.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeRun, errors, newRunner, runAction, type Runner } from '../helpers/action.js'
import { lacks, pythonOf, type Minor } from '../helpers/pythons.js'
import {
  findMirror,
  freeze,
  localPackages,
  mirrorEnv,
  recipeTemplate,
  runRecipe,
  type LocalPackages
} from '../helpers/recipe.js'
import { DEMO_PACKAGES, writeProject } from '../../scripts/wheelhouse.mjs'

interface Scenario {
  name: string
  /** Minor version of the base interpreter (default 3.12); the scenario is skipped without it. */
  python?: Minor
  /** The project's files, relative to the workspace. */
  files: (packages: LocalPackages) => Record<string, string>
  /** Extra set-up in the workspace (local projects, a copy of the wheels). */
  prepare?: (workspace: string, packages: LocalPackages) => void
  /** The `packages` input; the recipe passes them after `-r requirements.txt`. */
  packages?: string[]
  /** Rows the job summary's table of installed packages must show (`| name | version | by |`), and not. */
  summary?: string[]
  notInSummary?: string[]
  /** Where the failure belongs when both sides fail. */
  failsAt?: { file: string; line: number }
}

const copyWheels = (to: string) => (workspace: string, packages: LocalPackages) =>
  fs.cpSync(packages.wheels, path.join(workspace, to), { recursive: true })

const SCENARIOS: Scenario[] = [
  {
    name: '--no-index with a relative --find-links (an offline wheelhouse)',
    files: () => ({
      'requirements.txt': '--no-index\n--find-links ./wheels\nalpha==1.0.0\ngamma\n'
    }),
    prepare: copyWheels('wheels')
  },
  {
    name: '--no-index with an absolute -f',
    files: p => ({ 'requirements.txt': `--no-index\n-f ${p.wheels}\nalpha\n` })
  },
  {
    name: '--index-url of an index that does not carry pip',
    files: p => ({ 'requirements.txt': `--index-url ${p.index}\nepsilon\n` })
  },
  {
    name: '--extra-index-url',
    files: p => ({ 'requirements.txt': `--extra-index-url ${p.index}\nMixed_Case.Name==0.9.0\n` })
  },
  {
    name: '--extra-index-url, Python 3.13 (pip 24.2)',
    python: '3.13',
    files: p => ({ 'requirements.txt': `--extra-index-url ${p.index}\nalpha\n` })
  },
  {
    name: '--pre with a pre-release of wheel in the find-links directory',
    files: p => ({ 'requirements.txt': `--pre\n-f ${p.wheels}\nalpha\n` })
  },
  {
    name: 'a -c constraint on setuptools',
    files: p => ({
      'requirements.txt': `-c constraints.txt\n-f ${p.wheels}\ndelta\n`,
      'constraints.txt': 'setuptools<82\n'
    })
  },
  {
    name: '--only-final (an option only the upgraded pip knows)',
    files: p => ({ 'requirements.txt': `--only-final :all:\n-f ${p.wheels}\nalpha\n` })
  },
  {
    name: '--only-binary',
    files: p => ({
      'requirements.txt': `--only-binary :all:\n-f ${p.wheels}\nalpha==1.0.0\nbeta<2\n`
    })
  },
  {
    name: 'hashes',
    files: p => ({
      'requirements.txt': [
        `-f ${p.wheels}`,
        `alpha==1.0.0 --hash=sha256:${p.sha256('alpha-1.0.0-py3-none-any.whl')}`,
        `beta==1.0.0 \\`,
        `    --hash=sha256:${p.sha256('beta-1.0.0-py3-none-any.whl')}`,
        ''
      ].join('\n')
    })
  },
  {
    name: 'markers and extras',
    files: p => ({
      'requirements.txt': `-f ${p.wheels}\nzeta; python_version < "3"\ndelta ; sys_platform == "linux"\nfancy[speed]\n`
    })
  },
  {
    name: '-e . and a local project, with packages',
    files: p => ({ 'requirements.txt': `-f ${p.wheels}\n-e .\n./lib/proj\n` }),
    prepare: workspace => {
      writeProject(workspace, { name: 'myapp', version: '0.1.0', requires: ['delta'] })
      writeProject(path.join(workspace, 'lib', 'proj'), { name: 'proj', version: '1.0.0' })
    },
    packages: ['epsilon']
  },
  {
    name: 'includes two levels deep, --no-index and a relative -f in an included file',
    files: () => ({
      'requirements.txt': '--no-index\n-r reqs/base.txt\n',
      'reqs/base.txt': '-f ../wheels\n-r deeper/more.txt\ngamma\n',
      'reqs/deeper/more.txt': 'epsilon\nMixed_Case.Name\n'
    }),
    prepare: copyWheels('wheels')
  },
  {
    name: 'a requirement pins a dependency the upgrade brought (packaging, via wheel)',
    files: p => ({ 'requirements.txt': `-f ${p.wheels}\npackaging==24.0\n` }),
    // The venv holds the line's version; the upgrade's is neither listed nor credited to the line.
    summary: ['| packaging | 24.0 | requirements.txt:2 |'],
    notInSummary: ['| packaging | 26.3 |']
  },
  {
    name: 'a missing package two includes down',
    files: p => ({
      'requirements.txt': `-f ${p.wheels}\n-r a.txt\n`,
      'a.txt': 'alpha\n-r sub/b.txt\n',
      'sub/b.txt': '# the last one\ndelta\nno-such-package==1.0\n'
    }),
    failsAt: { file: 'sub/b.txt', line: 3 }
  },
  {
    name: 'a version the upgraded pip rejects (six>=1.0<2.0)',
    files: () => ({ 'requirements.txt': 'delta\nsix>=1.0<2.0\n' }),
    failsAt: { file: 'requirements.txt', line: 2 }
  }
]

const PACKAGES = [
  ...DEMO_PACKAGES,
  { name: 'alpha', version: '3.0.0rc1', requires: ['beta>=2'] },
  { name: 'wheel', version: '0.99.0rc1' },
  { name: 'packaging', version: '24.0' },
  { name: 'fancy', version: '1.0.0', extras: ['speed'], requires: ['delta; extra == "speed"'] }
]

const mirror = findMirror()
if (!mirror) console.warn('differential suite skipped: pip config list names no local PyPI mirror')

describe.skipIf(!mirror)('the action leaves the venv the recipe leaves', () => {
  const packages = mirror ? localPackages(PACKAGES) : undefined
  const templates = new Map<string, string>()
  const runners: Runner[] = []
  beforeAll(() => {
    for (const minor of new Set(SCENARIOS.map(s => s.python ?? '3.12'))) {
      if (lacks(minor)) continue
      const python = pythonOf(minor).executable
      templates.set(python, recipeTemplate(python, mirror!))
    }
  }, 600_000)
  afterAll(() => {
    for (const dir of [...runners.map(r => r.dir), ...templates.values()])
      fs.rmSync(dir, { recursive: true, force: true })
    if (packages) fs.rmSync(path.dirname(packages.wheels), { recursive: true, force: true })
  })

  function project(scenario: Scenario): Runner {
    const runner = newRunner('vg-diff-')
    runners.push(runner)
    for (const [file, content] of Object.entries(scenario.files(packages!))) {
      fs.mkdirSync(path.dirname(path.join(runner.workspace, file)), { recursive: true })
      fs.writeFileSync(path.join(runner.workspace, file), content)
    }
    scenario.prepare?.(runner.workspace, packages!)
    return runner
  }

  for (const scenario of SCENARIOS) {
    it.skipIf(lacks(scenario.python ?? '3.12'))(
      scenario.name,
      async () => {
        const python = pythonOf(scenario.python ?? '3.12').executable

        const byRecipe = project(scenario)
        const recipe = runRecipe(
          byRecipe,
          templates.get(python)!,
          mirror!,
          ['requirements.txt'],
          scenario.packages ?? []
        )
        const byAction = project(scenario)
        const action = await runAction(byAction, {
          inputs: { 'python-path': python, packages: (scenario.packages ?? []).join('\n') },
          env: mirrorEnv(byAction, mirror!),
          timeoutMs: 280_000
        })
        const context = `recipe:\n${recipe.output.slice(-3000)}\naction: ${describeRun(action)}`
        expect(action.exitCode === 0, context).toBe(recipe.exitCode === 0)
        expect(
          freeze(byAction, path.join(byAction.workspace, '.venv', 'bin', 'python')),
          context
        ).toBe(freeze(byRecipe, path.join(byRecipe.workspace, '.venv', 'bin', 'python')))
        for (const row of scenario.summary ?? []) expect(action.summary, context).toContain(row)
        for (const row of scenario.notInSummary ?? [])
          expect(action.summary, context).not.toContain(row)
        if (scenario.failsAt) {
          expect(recipe.exitCode, context).not.toBe(0)
          const places = errors(action).map(a => `${a.properties.file}:${a.properties.line}`)
          expect(places, context).toContain(`${scenario.failsAt.file}:${scenario.failsAt.line}`)
        } else {
          expect(recipe.exitCode, context).toBe(0)
        }
      },
      300_000
    )
  }
})
