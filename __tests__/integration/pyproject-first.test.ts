import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  describeRun,
  errors,
  hermeticEnv,
  newRunner,
  runAction,
  type ActionRun,
  type Runner
} from '../helpers/action.js'
import { MIRROR_PIP, NO_MIRROR } from '../helpers/mirror.js'
import { WHEELHOUSE } from '../helpers/paths.js'
import { lacks, pythonOf } from '../helpers/pythons.js'

/**
 * Projects that keep their requirements in pyproject.toml (dependency groups), a pylock.toml or
 * constraint files, installed by the upgraded pip 26 from the local mirror, each compared with
 * what pip itself installs from the same files by the recipe.
 */

const PYPROJECT = `[project]
name = "demo"
version = "0.1.0"
dependencies = ["delta"]

[dependency-groups]
test = [
  "alpha==1.0.0",
  {include-group = "Lint"},
]
lint = ["gamma"]
docs = ["epsilon"]
`

function write(runner: Runner, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(runner.workspace, file)), { recursive: true })
    fs.writeFileSync(path.join(runner.workspace, file), content)
  }
}

function places(run: ActionRun): string[] {
  return errors(run).map(a => `${a.properties.file}:${a.properties.line}`)
}

function freeze(runner: Runner, python: string, env: Record<string, string>): string {
  return execFileSync(python, ['-m', 'pip', 'freeze', '--all', '--exclude-editable'], {
    env: { ...hermeticEnv(runner), ...env },
    encoding: 'utf8'
  })
}

/** The recipe by hand: venv, upgrade with the upgraded pip, then pip install ARGS. */
function recipe(runner: Runner, env: Record<string, string>, args: string[]): string {
  const venv = path.join(runner.dir, 'recipe-venv')
  const run = (command: string, commandArgs: string[]) =>
    execFileSync(command, commandArgs, {
      cwd: runner.workspace,
      env: { ...hermeticEnv(runner), ...env },
      encoding: 'utf8'
    })
  run(pythonOf('3.12').executable, ['-m', 'venv', venv])
  const python = path.join(venv, 'bin', 'python')
  run(python, ['-m', 'pip', 'install', '-U', 'pip', 'setuptools', 'wheel'])
  run(python, ['-m', 'pip', 'install', ...args])
  return freeze(runner, python, env)
}

/** Each test runs the action and pip's recipe several times: generous on a busy shared machine. */
const SLOW = { timeout: 480_000 }

describe.skipIf(!MIRROR_PIP || lacks('3.12'))('pyproject-first projects with pip 26', SLOW, () => {
  /** `pip lock` by pip 26 itself, offline against the wheelhouse. */
  function lockInto(runner: Runner, name: string, ...requirements: string[]): string {
    execFileSync(
      pythonOf('3.12').executable,
      [path.join(MIRROR_PIP!, 'pip'), 'lock', ...requirements, '-o', name],
      { cwd: runner.workspace, env: { ...hermeticEnv(runner), ...env } }
    )
    return fs.readFileSync(path.join(runner.workspace, name), 'utf8')
  }

  let wheelhouse: string
  let env: Record<string, string>

  beforeAll(() => {
    // The test wheelhouse, with pip 26 from the mirror as the newest pip.
    wheelhouse = fs.mkdtempSync(path.join(os.tmpdir(), 'wheelhouse-26-'))
    for (const file of fs.readdirSync(WHEELHOUSE).filter(f => !f.startsWith('pip-'))) {
      fs.copyFileSync(path.join(WHEELHOUSE, file), path.join(wheelhouse, file))
    }
    fs.copyFileSync(MIRROR_PIP!, path.join(wheelhouse, path.basename(MIRROR_PIP!)))
    env = { PIP_FIND_LINKS: wheelhouse }
  })
  afterAll(() => fs.rmSync(wheelhouse, { recursive: true, force: true }))

  const main = (runner: Runner, inputs: Record<string, string>, extra = {}) =>
    runAction(runner, {
      inputs: { 'python-version': '3.12', ...inputs },
      env: { ...env, ...extra },
      timeoutMs: 240_000
    })

  it('a project with only pyproject.toml gets its groups and itself, as pip installs them', async () => {
    const runner = newRunner('vg-groups-')
    write(runner, { 'pyproject.toml': PYPROJECT })
    const run = await main(runner, { 'dependency-groups': 'test docs', packages: '-e .' })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(errors(run)).toEqual([])
    const ours = freeze(runner, run.outputs['python-path'], env)
    expect(ours).toContain('pip==26.')
    expect(ours).toMatch(/^alpha==1\.0\.0$/m)
    expect(ours).toEqual(recipe(runner, env, ['--group', 'test', '--group', 'docs', '-e', '.']))
    expect(run.summary).toMatch(/dependency groups.*test.*docs/i)
  })

  it('a project with only pylock.toml gets exactly the lock, with no input naming it', async () => {
    const runner = newRunner('vg-pylock-')
    lockInto(runner, 'pylock.toml', 'alpha==1.0.0', 'gamma')
    // No input names it: without requirements.txt, the lock file is what a project installs.
    const run = await main(runner, {})
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(errors(run)).toEqual([])
    const ours = freeze(runner, run.outputs['python-path'], env)
    expect(ours).toMatch(/^gamma==0\.3\.0$/m)
    expect(ours).toEqual(recipe(runner, env, ['-r', 'pylock.toml']))
    expect(run.summary).toMatch(/lock files.*pylock\.toml/i)
  })

  it('constraints go to the requirements only, never to the upgrade', async () => {
    const runner = newRunner('vg-constraints-')
    write(runner, {
      'requirements.txt': 'alpha\n',
      'constraints/base.txt': '# pins\nalpha==1.0.0\nbeta<2\npip<26\n'
    })
    const run = await main(runner, { constraints: 'constraints/*.txt' })
    expect(run.exitCode, describeRun(run)).toBe(0)
    const ours = freeze(runner, run.outputs['python-path'], env)
    expect(ours).toMatch(/^beta==1\.0\.0$/m)
    expect(ours).toMatch(/^pip==26\./m)
    expect(run.summary).toMatch(/constraint files.*constraints\/base\.txt/i)
  })

  it('a group that does not exist: one annotation on the table, before pip runs', async () => {
    const runner = newRunner('vg-groups-')
    write(runner, { 'pyproject.toml': PYPROJECT })
    const run = await main(runner, { 'dependency-groups': 'tests' })
    expect(run.exitCode, describeRun(run)).toBe(1)
    expect(places(run)).toEqual(['pyproject.toml:6'])
    expect(errors(run)[0].message).toMatch(/"tests" does not exist .*groups: test, lint, docs/)
    expect(run.stdout).not.toContain('::group::')
  })

  it('an include-group cycle: one annotation on the include that closes it', async () => {
    const runner = newRunner('vg-groups-')
    write(runner, {
      'sub/pyproject.toml':
        '[dependency-groups]\na = ["alpha", {include-group = "b"}]\nb = [\n  {include-group = "A"},\n]\n'
    })
    const run = await main(runner, { 'dependency-groups': 'sub/pyproject.toml:a' })
    expect(run.exitCode, describeRun(run)).toBe(1)
    expect(places(run)).toEqual(['sub/pyproject.toml:4'])
    expect(errors(run)[0].message).toMatch(/include-group cycle: a -> b -> a/)
  })

  it('an invalid requirement in a group: one annotation on its line', async () => {
    const runner = newRunner('vg-groups-')
    write(runner, {
      'pyproject.toml': '[dependency-groups]\ntest = [\n  "alpha",\n  "beta>=1.0<2.0",\n]\n'
    })
    const run = await main(runner, { 'dependency-groups': 'test' })
    expect(run.exitCode, describeRun(run)).toBe(1)
    expect(places(run)).toEqual(['pyproject.toml:4'])
    expect(errors(run)[0].message).toMatch(/"beta>=1.0<2.0" is not a valid requirement/)
  })

  it('a lock whose package pip cannot install: the annotation is on its entry', async () => {
    const runner = newRunner('vg-pylock-')
    const lock = lockInto(runner, 'pylock.ci.toml', 'gamma')
    const file = path.join(runner.workspace, 'pylock.ci.toml')
    fs.writeFileSync(file, lock.replace(/delta-1\.1\.0-py3-none-any/g, 'delta-1.1.0-py2-none-any'))
    const run = await main(runner, { requirements: 'pylock.ci.toml' })
    expect(run.exitCode, describeRun(run)).toBe(1)
    const line = lock.split('\n').indexOf('name = "delta"') + 1
    expect(places(run)).toEqual([`pylock.ci.toml:${line}`])
  })

  it("a lock's own source pip cannot get: the annotation is on that source's line", async () => {
    const runner = newRunner('vg-pylock-')
    const lock = lockInto(runner, 'pylock.toml', 'alpha==1.0.0', 'gamma')
    // pip 26.2.1: "× Failed to connect to 127.0.0.1 while fetching https://127.0.0.1:9/…"
    const url = 'https://127.0.0.1:9/files/delta-1.1.0-py3-none-any.whl'
    const edited = lock.replace(/url = "[^"]*delta-1\.1\.0-py3-none-any\.whl"/, `url = "${url}"`)
    fs.writeFileSync(path.join(runner.workspace, 'pylock.toml'), edited)
    const run = await main(runner, { 'pip-args': '--retries 0' })
    expect(run.exitCode, describeRun(run)).toBe(1)
    expect(places(run)).toEqual([`pylock.toml:${edited.split('\n').indexOf(`url = "${url}"`) + 1}`])
    expect(errors(run)[0].message).toMatch(
      /could not be fetched \(\[Errno 111\] Connection refused\)/
    )
  })

  it('a group with the same name on two items with opposite markers: the item pip took', async () => {
    const runner = newRunner('vg-groups-')
    write(runner, {
      'pyproject.toml':
        '[dependency-groups]\ntest = [\n  "beta>=9,<10; python_version < \'3.12\'",\n  "beta>=9.5,<10; python_version >= \'3.12\'",\n]\n'
    })
    const run = await main(runner, { 'dependency-groups': 'test' })
    expect(run.exitCode, describeRun(run)).toBe(1)
    expect(places(run)).toEqual(['pyproject.toml:4'])
  })

  it('an editable directory in a lock with hashes: the annotation is on its path', async () => {
    const runner = newRunner('vg-pylock-')
    const lock = lockInto(runner, 'pylock.toml', 'alpha==1.0.0')
    write(runner, {
      'pylock.toml': `${lock}\n[[packages]]\nname = "demo"\n\n[packages.directory]\npath = "."\neditable = true\n`,
      'pyproject.toml': PYPROJECT
    })
    const run = await main(runner, {})
    expect(run.exitCode, describeRun(run)).toBe(1)
    const line =
      fs
        .readFileSync(path.join(runner.workspace, 'pylock.toml'), 'utf8')
        .split('\n')
        .indexOf('path = "."') + 1
    expect(places(run)).toEqual([`pylock.toml:${line}`])
    // pip 26.2.1: "The editable requirement file:///… cannot be installed when requiring hashes, because there is no single file to hash."
    expect(errors(run)[0].message).toMatch(
      /cannot be installed in hash-checking mode .*no single file to hash/
    )
  })

  it('a constraint that conflicts: the annotation is on the constraint’s line', async () => {
    const runner = newRunner('vg-constraints-')
    write(runner, { 'requirements.txt': 'alpha==2.0.0\n', 'c.txt': '# pins\n\nbeta<2\n' })
    const run = await main(runner, { constraints: 'c.txt' })
    expect(run.exitCode, describeRun(run)).toBe(1)
    expect(places(run)).toContain('c.txt:3')
  })

  it('a pip too old for groups: one line naming the feature, the pip and the fix, before pip runs', async () => {
    const runner = newRunner('vg-groups-')
    write(runner, { 'pyproject.toml': PYPROJECT })
    const pinned = await main(runner, {
      'dependency-groups': 'test',
      upgrade: 'pip==24.2 setuptools'
    })
    expect(pinned.exitCode, describeRun(pinned)).toBe(1)
    expect(errors(pinned).map(e => e.message)).toEqual([
      'dependency-groups (pip install --group) needs pip 25.1 or newer, and upgrade allows only pip==24.2: raise the pin to pip>=25.1 in upgrade, or remove it.'
    ])
    expect(pinned.stdout).not.toContain('::group::')

    const none = await main(runner, { 'dependency-groups': 'test', upgrade: '' })
    expect(none.exitCode, describeRun(none)).toBe(1)
    expect(errors(none).map(e => e.message)).toEqual([
      expect.stringMatching(
        /needs pip 25\.1 or newer, and .* is 23\.2\.1 with no pip in upgrade: add pip to upgrade/
      )
    ])
  })

  describe('the venv cache', () => {
    /** One job: the workspace without its venv, main, then post (which saves). */
    const job = async (runner: Runner, inputs: Record<string, string>): Promise<ActionRun> => {
      fs.rmSync(path.join(runner.workspace, '.venv'), { recursive: true, force: true })
      fs.writeFileSync(runner.state, '')
      const run = await main(runner, inputs)
      expect(run.exitCode, describeRun(run)).toBe(0)
      const post = await runAction(runner, { entry: 'post', env, timeoutMs: 240_000 })
      expect(post.exitCode, describeRun(post)).toBe(0)
      return run
    }

    /** Hits on the second job, and misses (with a new key) after each change. */
    async function hitsThenMisses(
      runner: Runner,
      inputs: Record<string, string>,
      changes: Array<() => void>
    ): Promise<void> {
      const first = await job(runner, inputs)
      expect(first.outputs['cache-hit']).toBe('false')
      const again = await job(runner, inputs)
      expect(again.outputs['cache-hit'], describeRun(again)).toBe('true')
      expect(again.outputs['cache-key']).toBe(first.outputs['cache-key'])
      const keys = new Set([first.outputs['cache-key']])
      for (const change of changes) {
        change()
        const missed = await job(runner, inputs)
        expect(missed.outputs['cache-hit'], describeRun(missed)).toBe('false')
        keys.add(missed.outputs['cache-key'])
      }
      expect(keys.size).toBe(changes.length + 1)
    }

    const grouped = newRunner('vg-pyproject-cache-')
    const groupInputs = {
      'dependency-groups': 'test',
      constraints: 'c.txt',
      'cache-dir': path.join(grouped.dir, 'cache')
    }

    it('hits on the second run and misses when a group or a constraint changes', async () => {
      write(grouped, { 'pyproject.toml': PYPROJECT, 'c.txt': 'beta>=1\n' })
      await hitsThenMisses(grouped, groupInputs, [
        () =>
          write(grouped, {
            'pyproject.toml': PYPROJECT.replace('lint = ["gamma"]', 'lint = ["gamma", "zeta"]')
          }),
        () => write(grouped, { 'c.txt': 'beta>=1\nalpha<3\n' })
      ])
    })

    it('hits on the second run and misses when the lock file changes', async () => {
      const runner = newRunner('vg-pylock-cache-')
      lockInto(runner, 'pylock.toml', 'zeta')
      const inputs = { requirements: 'pylock.toml', 'cache-dir': path.join(runner.dir, 'cache') }
      await hitsThenMisses(runner, inputs, [() => lockInto(runner, 'pylock.toml', 'zeta', 'delta')])
    })

    it('a venv left in place is reinstalled when pyproject.toml changes, and current otherwise', async () => {
      const kept = await main(grouped, groupInputs)
      expect(kept.stdout, describeRun(kept)).toContain('nothing to install')
      write(grouped, { 'pyproject.toml': PYPROJECT.replace('docs = ["epsilon"]', 'docs = []') })
      const changed = await main(grouped, groupInputs)
      expect(changed.exitCode, describeRun(changed)).toBe(0)
      expect(changed.stdout).not.toContain('nothing to install')
    })

    it('another choice of groups from the same pyproject.toml is another venv', async () => {
      const before = await main(grouped, groupInputs)
      const other = await main(grouped, { ...groupInputs, 'dependency-groups': 'test docs' })
      expect(other.exitCode, describeRun(other)).toBe(0)
      expect(other.outputs['cache-key']).not.toBe(before.outputs['cache-key'])
      expect(other.stdout).not.toContain('nothing to install')
    })

    it('PIP_CONSTRAINT from the environment is in the key', async () => {
      write(grouped, { 'env-constraints.txt': 'beta>=1\n' })
      const withEnv = await main(grouped, groupInputs, { PIP_CONSTRAINT: 'env-constraints.txt' })
      write(grouped, { 'env-constraints.txt': 'beta>=1.0\n' })
      const changed = await main(grouped, groupInputs, { PIP_CONSTRAINT: 'env-constraints.txt' })
      expect(changed.exitCode, describeRun(changed)).toBe(0)
      expect(changed.outputs['cache-key']).not.toBe(withEnv.outputs['cache-key'])
    })
  })
})

if (!MIRROR_PIP) console.log(NO_MIRROR)
