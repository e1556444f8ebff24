// A new venv started from the tool seed ends where the recipe's fresh venv is. One run of the
// action keeps its upgraded pip, setuptools and wheel in the tool cache; a later run on the same
// runner (the same tool cache, another workspace) copies them in, and keeps them only when pip's
// dry-run of the upgrade names the same wheels. Each venv is compared with the recipe's:
// `pip freeze --all`, the file tree, scripts that name their own venv, RECORD files whose hashes
// match, and bytecode that Python takes as current.
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  describeRun,
  errors,
  hermeticEnv,
  newRunner,
  runAction,
  type ActionRun,
  type Runner
} from '../helpers/action.js'
import { WHEELHOUSE } from '../helpers/paths.js'
import { findPython } from '../helpers/pythons.js'
import { freeze, venvTree } from '../helpers/recipe.js'

const PYTHON = findPython('3.12')?.executable
if (!PYTHON) console.warn('seeded-tools suite skipped: no Python 3.12 on this machine')

function write(runner: Runner, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(runner.workspace, file)), { recursive: true })
    fs.writeFileSync(path.join(runner.workspace, file), content)
  }
}

/** A runner of its own that shares `toolCache` with the others: one self-hosted machine. */
function onMachine(toolCache: string, files: Record<string, string>): Runner {
  const runner = { ...newRunner('vg-seed-'), toolCache }
  write(runner, files)
  return runner
}

function main(runner: Runner, env: Record<string, string | undefined> = {}): Promise<ActionRun> {
  return runAction(runner, { inputs: { 'python-path': PYTHON!, cache: 'false' }, env })
}

/** The recipe in a workspace of its own, with the same wheelhouse. */
function recipe(files: Record<string, string>): { runner: Runner; venv: string; exitCode: number } {
  const runner = newRunner('vg-seed-recipe-')
  write(runner, files)
  const env = hermeticEnv(runner)
  const venv = path.join(runner.workspace, '.venv')
  execFileSync(PYTHON!, ['-m', 'venv', venv], { env })
  const py = path.join(venv, 'bin', 'python')
  const options = { env, cwd: runner.workspace, encoding: 'utf8' as const }
  const upgrade = spawnSync(
    py,
    ['-m', 'pip', 'install', '-U', 'pip', 'setuptools', 'wheel'],
    options
  )
  if (upgrade.status !== 0) throw new Error(`the recipe's upgrade failed: ${upgrade.stderr}`)
  const install = spawnSync(py, ['-m', 'pip', 'install', '-r', 'requirements.txt'], options)
  return { runner, venv, exitCode: install.status ?? -1 }
}

const CHECK_VENV = String.raw`
import base64, csv, hashlib, importlib.util, os, sys, sysconfig
site = sysconfig.get_path("purelib")
bad = []
for entry in os.listdir(site):
    if entry.endswith(".dist-info"):
        with open(os.path.join(site, entry, "RECORD"), newline="") as f:
            for row in csv.reader(f):
                if len(row) == 3 and row[1]:
                    algo, _, want = row[1].partition("=")
                    with open(os.path.normpath(os.path.join(site, row[0])), "rb") as g:
                        got = base64.urlsafe_b64encode(hashlib.new(algo, g.read()).digest()).rstrip(b"=").decode()
                    if got != want: bad.append("RECORD " + row[0])
for root, dirs, files in os.walk(site):
    dirs[:] = [d for d in dirs if d != "__pycache__"]
    for name in files:
        if not name.endswith(".py"): continue
        source = os.path.join(root, name)
        cached = importlib.util.cache_from_source(source)
        try:
            with open(cached, "rb") as f: head = f.read(16)
        except OSError:
            bad.append("no pyc " + source); continue
        st = os.stat(source)
        flags = int.from_bytes(head[4:8], "little")
        if flags == 0 and (int.from_bytes(head[8:12], "little") != int(st.st_mtime) & 0xFFFFFFFF
                           or int.from_bytes(head[12:16], "little") != st.st_size & 0xFFFFFFFF):
            bad.append("stale pyc " + source)
bindir = os.path.dirname(sys.executable)
for name in os.listdir(bindir):
    path = os.path.join(bindir, name)
    if os.path.isfile(path) and not os.path.islink(path):
        with open(path, "rb") as f: first = f.readline()
        if first.startswith(b"#!") and b"python" in first and first.strip() != b"#!" + sys.executable.encode():
            bad.append("script " + name + " runs " + first.decode().strip())
print("\n".join(bad))
`

/** What is wrong inside a venv: RECORD hashes, missing or stale bytecode, scripts of another venv. */
function venvProblems(runner: Runner, venv: string): string {
  return execFileSync(path.join(venv, 'bin', 'python'), ['-c', CHECK_VENV], {
    env: hermeticEnv(runner),
    encoding: 'utf8'
  }).trim()
}

function seedRecords(toolCache: string): { dists: { name: string; version: string }[] }[] {
  const store = path.join(toolCache, 'venv-guard-tools')
  if (!fs.existsSync(store)) return []
  return fs
    .readdirSync(store)
    .map(dir => JSON.parse(fs.readFileSync(path.join(store, dir, 'seed.json'), 'utf8')))
}

/** The seeded run's venv against the recipe's: same packages, same files, sound inside. */
function expectRecipes(run: ActionRun, runner: Runner, files: Record<string, string>): void {
  const byRecipe = recipe(files)
  const venv = path.join(runner.workspace, '.venv')
  const context = describeRun(run)
  expect(run.exitCode, context).toBe(byRecipe.exitCode)
  expect(freeze(runner, path.join(venv, 'bin', 'python')), context).toBe(
    freeze(byRecipe.runner, path.join(byRecipe.venv, 'bin', 'python'))
  )
  expect(venvTree(venv), context).toEqual(venvTree(byRecipe.venv))
  expect(venvProblems(runner, venv), context).toBe('')
}

const seeded = (run: ActionRun) => run.stdout.includes('from the tool seed')

describe.skipIf(!PYTHON)('a new venv from the tool seed equals the recipe’s', () => {
  const project = { 'requirements.txt': 'alpha==2.0.0\ngamma\nMixed_Case.Name\n' }

  it('the first run keeps a seed, the next one uses it and ends as the recipe', async () => {
    const toolCache = newRunner('vg-seed-cache-').toolCache
    const first = await main(onMachine(toolCache, project))
    expect(first.exitCode, describeRun(first)).toBe(0)
    expect(seeded(first)).toBe(false)
    expect(seedRecords(toolCache).map(r => r.dists.map(d => `${d.name} ${d.version}`))).toEqual([
      ['pip 26.2.1', 'setuptools 84.0.0', 'wheel 0.48.0', 'packaging 26.3']
    ])

    const runner = onMachine(toolCache, project)
    const second = await main(runner)
    expect(seeded(second), describeRun(second)).toBe(true)
    expectRecipes(second, runner, project)
    // The upgrade's packages are in the summary as in a run without a seed.
    expect(second.summary).toContain('| pip | 26.2.1 | upgrade |')
  }, 240_000)

  it('a requirement that replaces a seeded tool (packaging==24.0) ends as the recipe', async () => {
    const toolCache = newRunner('vg-seed-cache-').toolCache
    await main(onMachine(toolCache, project))
    const files = { 'requirements.txt': 'alpha\npackaging==24.0\n' }
    const runner = onMachine(toolCache, files)
    const run = await main(runner)
    expect(seeded(run), describeRun(run)).toBe(true)
    expectRecipes(run, runner, files)
  }, 240_000)

  it('a failing requirement is annotated on its line, as without a seed', async () => {
    const toolCache = newRunner('vg-seed-cache-').toolCache
    await main(onMachine(toolCache, project))
    const files = { 'requirements.txt': 'alpha\nno-such-package==1.0\n' }
    const run = await main(onMachine(toolCache, files))
    expect(seeded(run), describeRun(run)).toBe(true)
    expect(run.exitCode).toBe(1)
    expect(errors(run).map(a => `${a.properties.file}:${a.properties.line}`)).toContain(
      'requirements.txt:2'
    )
  }, 240_000)

  it('a seed the index has moved past is left, the venv made again, and the seed renewed', async () => {
    const toolCache = newRunner('vg-seed-cache-').toolCache
    // The first machine's index had older tools only.
    const older = fs.mkdtempSync(path.join(path.dirname(WHEELHOUSE), 'older-'))
    for (const file of fs.readdirSync(WHEELHOUSE)) {
      if (!/^(pip-2[56]|setuptools-84|wheel-0\.48|packaging-26)/.test(file))
        fs.copyFileSync(path.join(WHEELHOUSE, file), path.join(older, file))
    }
    const first = await main(onMachine(toolCache, project), { PIP_FIND_LINKS: older })
    expect(first.exitCode, describeRun(first)).toBe(0)
    expect(seedRecords(toolCache)[0].dists.map(d => d.version)).toEqual([
      '24.2',
      '67.6.1',
      '0.43.0'
    ])

    const runner = onMachine(toolCache, project)
    const run = await main(runner)
    expect(run.stdout).toContain('would not install what the tool seed holds')
    expectRecipes(run, runner, project)
    expect(seedRecords(toolCache)[0].dists.map(d => d.version)).toEqual([
      '26.2.1',
      '84.0.0',
      '0.48.0',
      '26.3'
    ])
    fs.rmSync(older, { recursive: true, force: true })
  }, 240_000)

  it('a seed missing a file is not used, and the venv is still the recipe’s', async () => {
    const toolCache = newRunner('vg-seed-cache-').toolCache
    await main(onMachine(toolCache, project))
    const store = path.join(toolCache, 'venv-guard-tools')
    const [seed] = fs.readdirSync(store)
    fs.rmSync(path.join(store, seed, 'site-packages', 'wheel'), { recursive: true })
    const runner = onMachine(toolCache, project)
    const run = await main(runner)
    expect(run.stdout, describeRun(run)).toContain('could not be copied')
    expectRecipes(run, runner, project)
  }, 240_000)
})

describe.skipIf(!PYTHON)(
  'the tool seed in the cache, for runners whose tool cache starts empty',
  () => {
    const inputs = (cacheDir: string) => ({
      'python-path': PYTHON!,
      cache: 'true',
      'cache-dir': cacheDir
    })
    const seedArchives = (cacheDir: string) =>
      fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter(f => /-seed-/.test(f)) : []
    /** A first job on a runner of its own, with a cache-dir of its own: it keeps a new seed. */
    const firstJob = async (prefix: string) => {
      const cacheDir = fs.mkdtempSync(path.join(newRunner('vg-seed-cd-').dir, 'cache-'))
      const runner = newRunner(prefix)
      write(runner, { 'requirements.txt': 'alpha==2.0.0\n' })
      const made = await runAction(runner, { inputs: inputs(cacheDir) })
      expect(made.exitCode, describeRun(made)).toBe(0)
      return { cacheDir, runner, made }
    }

    it('one job saves the seed it kept; a job on a new runner restores it, uses it, and ends as the recipe', async () => {
      const { cacheDir, runner: first, made } = await firstJob('vg-seed-a-')
      expect(seeded(made)).toBe(false)
      const saved = await runAction(first, { entry: 'post' })
      expect(saved.exitCode, describeRun(saved)).toBe(0)
      expect(seedArchives(cacheDir)).toHaveLength(1)

      // Another runner, its tool cache empty, other requirements: no venv to restore, but the seed.
      const files = { 'requirements.txt': 'gamma\nMixed_Case.Name\n' }
      const runner = newRunner('vg-seed-b-')
      write(runner, files)
      const run = await runAction(runner, { inputs: inputs(cacheDir) })
      expect(run.stdout, describeRun(run)).toContain('restored the tool seed')
      expect(seeded(run), describeRun(run)).toBe(true)
      expectRecipes(run, runner, files)
      // It used the seed it restored: nothing new to save for the seed.
      expect(await runAction(runner, { entry: 'post' }).then(r => r.exitCode)).toBe(0)
      expect(seedArchives(cacheDir)).toHaveLength(1)
    }, 240_000)

    it('a seed that a later step changed is not saved', async () => {
      const { cacheDir, runner } = await firstJob('vg-seed-c-')
      const store = path.join(runner.toolCache, 'venv-guard-tools')
      const [seed] = fs.readdirSync(store)
      fs.appendFileSync(
        path.join(store, seed, 'site-packages', 'pip', '__init__.py'),
        '\nimport os  # a later step\n'
      )
      const post = await runAction(runner, { entry: 'post' })
      expect(post.stdout, describeRun(post)).toMatch(
        /the tool seed .* was not saved: a later step changed it/
      )
      expect(seedArchives(cacheDir)).toEqual([])
    }, 240_000)
  }
)
