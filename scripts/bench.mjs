// npm run bench: the action against the manual recipe, side by side in one run, offline.
//   recipe: python -m venv .venv && .venv/bin/python -m pip install -U pip setuptools wheel
//           && .venv/bin/python -m pip install -r requirements.txt
// Prints medians and ratios per path (cold on a new runner, cold with the tool seed a first run
// kept in a lasting tool cache, cold on a new runner with the tool seed in cache-dir, one pin
// bumped with the earlier venv in cache-dir, warm from cache-dir, no-op) and size, where the
// action's time goes by phase, and the bundle's own start-up up to its first process spawn.
// Options: --sizes 10,40,200 --runs 5 --python 3.12 --dir DIR; --quick is --sizes 40 --runs 3 (about two
// minutes). --real benches a real stack instead (REAL_STACK below, Python 3.11 unless --python
// says otherwise) from the local PyPI mirror `pip config list` names, and stops where there is none. Each ratio is the median of the per-run ratios (recipe and action alternate), with
// their range, so a reader sees how much it varies.
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { root, runnerEnv, stateEnv } from './runner.mjs'
import { buildWheelhouse } from './wheelhouse.mjs'

const args = process.argv.slice(2)
/** @param {string} name @param {string} fallback */
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const quick = args.includes('--quick')
const real = args.includes('--real')
const sizes = real
  ? [0]
  : option('sizes', quick ? '40' : '10,40,200')
      .split(',')
      .map(Number)
const runs = Number(option('runs', quick || real ? '3' : '5'))
const pythonMinor = option('python', real ? '3.11' : '3.12')

/** The real stack the issue names; the incremental row bumps pytest's pin. */
const REAL_STACK = ['flask', 'requests', 'django', 'numpy', 'pandas', 'black']
const REAL_PIN = { name: 'pytest', earlier: '8.4.2', version: '9.1.1' }

/** The local mirror of PyPI that this machine's pip configuration names, if any. */
function findMirror() {
  const listed = spawnSync('python3', ['-m', 'pip', 'config', 'list'], { encoding: 'utf8' })
  const urls = (listed.stdout ?? '').match(/file:\/\/\/[^\s'"]+/g) ?? []
  return urls.find(url => fs.existsSync(path.join(new URL(url).pathname, 'pip', 'index.html')))
}
const mirror = real ? findMirror() : undefined
if (real && !mirror) {
  console.log(
    'bench --real: skipped, `pip config list` names no local PyPI mirror (file:///…/simple).'
  )
  process.exit(0)
}

const pyenvRoot = process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv')
const pythonDir = fs
  .readdirSync(path.join(pyenvRoot, 'versions'))
  .find(v => v.startsWith(`${pythonMinor}.`))
if (!pythonDir) throw new Error(`pyenv has no Python ${pythonMinor}`)
const python = path.join(pyenvRoot, 'versions', pythonDir, 'bin', 'python3')
// Outside the checkout by default: where a checkout lives is not always a plain disk (on one
// machine here, creating files under /work cost the kernel eight times what it did under /tmp),
// and a runner's workspace is. --dir chooses; the directory is printed with the figures.
const benchDir = path.resolve(option('dir', path.join(os.tmpdir(), 'venv-guard-bench')))
const main = path.join(root, 'dist', 'main', 'index.js')
const post = path.join(root, 'dist', 'post', 'index.js')
const hasCache = fs.readFileSync(path.join(root, 'action.yml'), 'utf8').includes('cache-dir:')

/**
 * Moves a directory out of the way, to be deleted after the timings. On an ext4 without a journal
 * (this project's own machine), the inode allocator skips every inode freed in the last minute (five
 * while its table block is unwritten), one lookup each: creating files right after thousands were
 * deleted costs the kernel up to twenty times as much. A new job on a runner starts without that.
 * @param {string} dir
 */
function discard(dir) {
  if (!fs.existsSync(dir)) return
  fs.mkdirSync(path.join(benchDir, 'trash'), { recursive: true })
  fs.renameSync(
    dir,
    path.join(
      benchDir,
      'trash',
      `${path.basename(path.dirname(dir))}-${path.basename(dir)}-${Date.now()}-${Math.random()}`
    )
  )
}

/** On Linux, whether `dir` lies on an ext4 without a journal (no jbd2 entry for its device). @param {string} dir */
function ext4WithoutJournal(dir) {
  if (os.platform() !== 'linux' || !fs.existsSync('/proc/fs/jbd2')) return false
  const found = spawnSync('findmnt', ['-n', '-o', 'SOURCE,FSTYPE', '-T', dir], { encoding: 'utf8' })
  const [source = '', type] = (found.stdout ?? '').trim().split(/\s+/)
  if (type !== 'ext4' || !source.startsWith('/dev/')) return false
  const device = path.basename(fs.realpathSync(source))
  return !fs.readdirSync('/proc/fs/jbd2').some(entry => entry.startsWith(`${device}-`))
}

/** Deletes what discard() moved aside, then writes it out so that its freed inodes age. */
function emptyTrash() {
  fs.rmSync(path.join(benchDir, 'trash'), { recursive: true, force: true })
  spawnSync('sync')
}

/** n packages, every fourth depending on the next one, five modules each (something to compile). @param {number} n */
function packages(n) {
  return Array.from({ length: n }, (_, i) => ({
    name: `bench-pkg-${i}`,
    version: `1.${i}.0`,
    requires: i % 4 === 0 && i + 1 < n ? [`bench-pkg-${i + 1}`] : [],
    modules: 5,
    script: i % 10 === 0
  }))
}

/** Writes out what earlier steps wrote, untimed: a job starts on a runner that owes no writes. */
const settle = () => spawnSync('sync')

/** @param {string} command @param {string[]} argv @param {Record<string, string>} env @param {string} cwd */
function timed(command, argv, env, cwd) {
  const start = process.hrtime.bigint()
  const result = spawnSync(command, argv, {
    env,
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024
  })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (result.status !== 0) {
    throw new Error(
      `${command} ${argv.join(' ')} failed (${result.status}):\n${result.stdout?.slice(-3000)}\n${result.stderr?.slice(-3000)}`
    )
  }
  return { seconds, stdout: result.stdout }
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * What an environment ends as: pip freeze --all, and its file tree (every path, bytecode included;
 * venv-guard's own marker and bytecode list aside). @param {string} venv
 */
function fingerprintVenv(venv) {
  const py = path.join(venv, 'bin', 'python')
  const freeze = execFileSync(py, ['-m', 'pip', 'freeze', '--all'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', PIP_CONFIG_FILE: os.devNull }
  })
  const own = new Set(['venv-guard.json', 'venv-guard-bytecode.json', 'venv-guard-content.json'])
  /** Every path under `dir`, a link listed but not followed (lib64 -> lib would list lib twice). @param {string} dir @returns {string[]} */
  const walk = dir =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
      const full = path.join(dir, entry.name)
      return [full, ...(entry.isDirectory() ? walk(full) : [])]
    })
  const tree = walk(venv)
    .map(f => path.relative(venv, f))
    .filter(f => !own.has(f))
    .sort()
  return { freeze, tree, pycs: tree.filter(f => f.endsWith('.pyc')) }
}

/** Phases from the summary's "**Time**" line: "find Python 0.13 s · install 2.03 s". @param {string} summaryFile */
function phases(summaryFile) {
  const line =
    fs
      .readFileSync(summaryFile, 'utf8')
      .split('\n')
      .find(l => l.startsWith('**Time**')) ?? ''
  return Object.fromEntries(
    [...line.matchAll(/([a-zA-Z][a-zA-Z ]*?) ([\d.]+) s/g)].map(m => [m[1].trim(), Number(m[2])])
  )
}

/**
 * Milliseconds from node's start to the bundle's first process spawn, measured by a preload hook.
 * @param {string} workspace @param {string} wheelhouse
 */
function startupMs(workspace, wheelhouse) {
  const hook = path.join(benchDir, 'first-spawn.mjs')
  fs.writeFileSync(
    hook,
    `import cp from 'node:child_process'\nimport { syncBuiltinESMExports } from 'node:module'\n` +
      `const spawn = cp.spawn\ncp.spawn = (...a) => { process.stderr.write('FIRST_SPAWN_MS=' + performance.now().toFixed(1) + '\\n'); process.exit(0) }\n` +
      `syncBuiltinESMExports()\n`
  )
  const { env } = runnerEnv({
    dir: path.join(benchDir, 'runner-startup'),
    workspace,
    wheelhouse,
    inputs: { 'python-version': pythonMinor }
  })
  const samples = []
  for (let i = 0; i < 15; i++) {
    const result = spawnSync(process.execPath, ['--import', hook, main], {
      env,
      cwd: workspace,
      encoding: 'utf8'
    })
    const m = /FIRST_SPAWN_MS=([\d.]+)/.exec(result.stderr)
    if (m) samples.push(Number(m[1]))
  }
  return median(samples)
}

/** @param {number} n packages, or 0 for the real stack */
function benchSize(n) {
  const dir = path.join(benchDir, n ? `n${n}` : 'real')
  const wheelhouse = path.join(dir, 'wheelhouse')
  const recipeWs = path.join(dir, 'recipe')
  const actionWs = path.join(dir, 'action')
  discard(dir)
  for (const d of [recipeWs, actionWs]) fs.mkdirSync(d, { recursive: true })
  // The incremental row bumps one pin: the last package's, also built in a newer version.
  const last = n ? packages(n)[n - 1] : { name: REAL_PIN.name, version: REAL_PIN.earlier }
  const bumped = n
    ? { ...last, version: `${last.version}.1` }
    : { ...last, version: REAL_PIN.version }
  if (n) buildWheelhouse(wheelhouse, [...packages(n), bumped])
  const unpinned = n
    ? packages(n)
        .slice(0, -1)
        .map(p => p.name)
    : REAL_STACK
  /** @param {{ name: string, version: string }} pinned */
  const requirementsWith = pinned =>
    unpinned.concat(`${pinned.name}==${pinned.version}`).join('\n') + '\n'
  const requirements = requirementsWith(bumped)
  fs.writeFileSync(path.join(recipeWs, 'requirements.txt'), requirements)
  fs.writeFileSync(path.join(actionWs, 'requirements.txt'), requirements)
  /** Where pip finds packages, on both sides: the wheelhouse only, or the mirror only. */
  /** @type {Record<string, string>} */
  const source = mirror
    ? { PIP_INDEX_URL: mirror }
    : { PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheelhouse }
  const pipEnv = {
    PATH: process.env.PATH ?? '',
    HOME: path.join(dir, 'home'),
    PIP_CONFIG_FILE: os.devNull,
    ...source
  }
  const cacheDir = path.join(dir, 'cache-store')
  const inputs = { 'python-version': pythonMinor, ...(hasCache ? { cache: 'false' } : {}) }

  const actionVenv = path.join(actionWs, '.venv')
  let steps = 0
  /**
   * One step of the action on a fresh runner; `fresh` removes the venv first, as a new job sees it.
   * `toolCache` keeps the runner's tool cache (and the tool seed in it) from step to step.
   * @param {Record<string, string>} stepInputs @param {{ fresh?: boolean, post?: boolean, toolCache?: string }} how
   */
  const actionStep = (stepInputs, { fresh = false, post: withPost = false, toolCache } = {}) => {
    if (fresh) discard(actionVenv)
    const step = runnerEnv({
      // A new directory per step: deleting the last one's tool seed would slow this one (discard()).
      dir: path.join(dir, 'runner', String(steps++)),
      workspace: actionWs,
      wheelhouse,
      inputs: stepInputs,
      toolCache
    })
    if (mirror) {
      delete step.env.PIP_NO_INDEX
      delete step.env.PIP_FIND_LINKS
      Object.assign(step.env, source)
    }
    settle()
    const { seconds, stdout } = timed(process.execPath, [main], step.env, actionWs)
    if (withPost)
      timed(process.execPath, [post], { ...step.env, ...stateEnv(step.files.state) }, actionWs)
    return { seconds, stdout, files: step.files }
  }

  const keptToolCache = path.join(dir, 'toolcache-kept')
  fs.mkdirSync(keptToolCache, { recursive: true })
  /** @type {Record<'recipe' | 'cold' | 'seeded' | 'cached' | 'noop' | 'warm' | 'incremental', number[]>} */
  const t = { recipe: [], cold: [], seeded: [], cached: [], noop: [], warm: [], incremental: [] }
  // A cache-dir that holds a tool seed a first job saved, and no venv: a new runner's cold run.
  const seedOnlyCache = path.join(dir, 'cache-seed-only')
  const earlierCache = path.join(dir, 'cache-earlier')
  /** @type {Record<string, number>[]} */
  const phaseSamples = []
  let recipeState = {
    freeze: '',
    tree: /** @type {string[]} */ ([]),
    pycs: /** @type {string[]} */ ([])
  }
  let actionState = recipeState
  let seededState = recipeState
  let incrementalState = recipeState
  let cachedState = recipeState
  for (let r = 0; r < runs; r++) {
    // Recipe and action alternate, so that drift of the machine hits both alike.
    const venv = path.join(recipeWs, '.venv')
    discard(venv)
    settle()
    const recipe = [
      timed(python, ['-m', 'venv', venv], pipEnv, recipeWs),
      timed(
        path.join(venv, 'bin', 'python'),
        ['-m', 'pip', 'install', '-U', 'pip', 'setuptools', 'wheel'],
        pipEnv,
        recipeWs
      ),
      timed(
        path.join(venv, 'bin', 'python'),
        ['-m', 'pip', 'install', '-r', 'requirements.txt'],
        pipEnv,
        recipeWs
      )
    ]
    t.recipe.push(recipe.reduce((sum, x) => sum + x.seconds, 0))

    const cold = actionStep(inputs, { fresh: true })
    t.cold.push(cold.seconds)
    phaseSamples.push(phases(cold.files.summary))
    if (r === 0) {
      recipeState = fingerprintVenv(venv)
      actionState = fingerprintVenv(actionVenv)
    }
    t.noop.push(actionStep(inputs).seconds)

    // A new venv on a runner whose tool cache holds the tool seed a first run kept.
    if (r === 0) actionStep(inputs, { fresh: true, toolCache: keptToolCache })
    const seeded = actionStep(inputs, { fresh: true, toolCache: keptToolCache })
    if (!/Copied .* from the tool seed/.test(seeded.stdout))
      throw new Error('the seeded run did not use the tool seed')
    t.seeded.push(seeded.seconds)
    if (r === 0) seededState = fingerprintVenv(actionVenv)

    if (hasCache) {
      // Fill the cache-dir store once (main + post), then every warm run restores from it.
      const warmInputs = { ...inputs, cache: 'true', 'cache-dir': cacheDir }
      if (r === 0) actionStep(warmInputs, { fresh: true, post: true })
      const warm = actionStep(warmInputs, { fresh: true })
      if (!/cache-hit<<\S+\ntrue\n/.test(fs.readFileSync(warm.files.output, 'utf8'))) {
        throw new Error('the warm run was no cache hit')
      }
      t.warm.push(warm.seconds)

      // A new runner (its tool cache empty, as on GitHub), the venv not in the cache, the tool
      // seed there: a first job saved it (main + post), and only its archive is kept.
      if (r === 0) {
        const full = path.join(dir, 'cache-seed-full')
        actionStep({ ...inputs, cache: 'true', 'cache-dir': full }, { fresh: true, post: true })
        fs.mkdirSync(seedOnlyCache, { recursive: true })
        for (const name of fs.readdirSync(full).filter(n => n.includes('-seed-')))
          fs.copyFileSync(path.join(full, name), path.join(seedOnlyCache, name))
      }
      const cached = actionStep(
        { ...inputs, cache: 'true', 'cache-dir': seedOnlyCache },
        { fresh: true }
      )
      if (
        !/restored the tool seed/.test(cached.stdout) ||
        !/from the tool seed/.test(cached.stdout)
      )
        throw new Error(`the run did not start from the tool seed in the cache:\n${cached.stdout}`)
      t.cached.push(cached.seconds)
      if (r === 0) cachedState = fingerprintVenv(actionVenv)

      // One pin bumped, the previous venv in the cache: a job before this one saved the venv of
      // the older pin (main + post), and this one restores it and updates it in place.
      const earlierInputs = { ...inputs, cache: 'true', 'cache-dir': earlierCache }
      if (r === 0) {
        fs.writeFileSync(path.join(actionWs, 'requirements.txt'), requirementsWith(last))
        actionStep(earlierInputs, { fresh: true, post: true })
        fs.writeFileSync(path.join(actionWs, 'requirements.txt'), requirements)
      }
      const incremental = actionStep(earlierInputs, { fresh: true })
      if (!/updating in place/.test(incremental.stdout) || /made anew/.test(incremental.stdout))
        throw new Error(`the incremental run did not update in place:\n${incremental.stdout}`)
      t.incremental.push(incremental.seconds)
      if (r === 0) incrementalState = fingerprintVenv(actionVenv)
    }
  }
  /** @type {Array<[string, typeof recipeState]>} */
  const compared = [
    ['cold', actionState],
    ['seeded', seededState]
  ]
  if (hasCache)
    compared.push(['incremental', incrementalState], ['seed from the cache', cachedState])
  for (const [name, state] of compared) {
    const same = recipeState.freeze === state.freeze
    const sameTree = JSON.stringify(recipeState.tree) === JSON.stringify(state.tree)
    if (!same || !sameTree) {
      /** @param {{ tree: string[] }} a @param {{ tree: string[] }} b */
      const only = (a, b) => a.tree.filter(f => !b.tree.includes(f)).slice(0, 5)
      throw new Error(
        `the action's ${name} venv differs from the recipe's (freeze equal: ${same}; only the recipe's: ${only(recipeState, state).join(', ')}; only the action's: ${only(state, recipeState).join(', ')})`
      )
    }
  }
  const phaseNames = [...new Set(phaseSamples.flatMap(p => Object.keys(p)))]
  /** @param {number[]} times */
  const ratios = times =>
    times.length ? times.map((x, i) => x / t.recipe[i]).sort((a, b) => a - b) : undefined
  return {
    n,
    recipe: median(t.recipe),
    cold: median(t.cold),
    seeded: median(t.seeded),
    cached: t.cached.length ? median(t.cached) : undefined,
    noop: median(t.noop),
    warm: t.warm.length ? median(t.warm) : undefined,
    incremental: t.incremental.length ? median(t.incremental) : undefined,
    ratios: {
      cold: ratios(t.cold),
      seeded: ratios(t.seeded),
      cached: ratios(t.cached),
      warm: ratios(t.warm),
      incremental: ratios(t.incremental),
      noop: ratios(t.noop)
    },
    phases: Object.fromEntries(
      phaseNames.map(name => [name, median(phaseSamples.map(p => p[name] ?? 0))])
    ),
    freeze: recipeState.freeze.split('\n').filter(Boolean).length,
    files: recipeState.tree.length,
    pycs: recipeState.pycs.length
  }
}

fs.mkdirSync(benchDir, { recursive: true })
const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
console.log(
  `venv-guard benchmark: Python ${pythonDir}, ${os.cpus().length} × ${cpu}, ${os.platform()} ${os.release()}, node ${process.version}, ${runs} runs per cell (medians), in ${benchDir}`
)
if (ext4WithoutJournal(benchDir)) {
  console.log(
    `note: ${benchDir} is on an ext4 without a journal, whose file creation slows for a minute after many deletions (see discard() and docs/performance.md); a runner's disk has a journal: --dir on a journaled filesystem gives figures like a runner's.`
  )
}
// What a run that stopped half-way left (a whole run empties it after its timings); its freed
// inodes then age for a minute before anything is timed (see discard()).
if (fs.existsSync(path.join(benchDir, 'trash'))) {
  console.log('deleting what a run that stopped half-way left, then waiting a minute')
  emptyTrash()
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000)
}
const rows = sizes.map(benchSize)
emptyTrash()
/** @param {number | undefined} x */
const s = x => (x === undefined ? 'n/a' : `${x.toFixed(2)} s`)
/** The median per-run ratio and its range. @param {number[] | undefined} list */
const ratio = list =>
  list === undefined
    ? 'n/a'
    : `${median(list).toFixed(2)}× (${list[0].toFixed(2)}–${list[list.length - 1].toFixed(2)})`
console.log(
  '\n| packages | recipe | action cold, first | ratio | cold, tool seed kept | ratio | cold, new runner, tool seed in cache-dir | ratio | one pin bumped, earlier venv in cache-dir | ratio | warm (cache-dir) | ratio | no-op | ratio |'
)
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
for (const r of rows) {
  console.log(
    `| ${r.n || 'real stack'} | ${s(r.recipe)} | ${s(r.cold)} | ${ratio(r.ratios.cold)} | ${s(r.seeded)} | ${ratio(r.ratios.seeded)} | ${s(r.cached)} | ${ratio(r.ratios.cached)} | ${s(r.incremental)} | ${ratio(r.ratios.incremental)} | ${s(r.warm)} | ${ratio(r.ratios.warm)} | ${s(r.noop)} | ${ratio(r.ratios.noop)} |`
  )
}
console.log('\nWhere the cold run goes (medians, seconds):')
for (const r of rows)
  console.log(
    `  ${r.n ? `${r.n} packages` : 'real stack'}: ${Object.entries(r.phases)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ')}`
  )
console.log(
  `\nSame result as the recipe: identical pip freeze --all (${rows.map(r => r.freeze).join('/')} lines) and the identical file tree (${rows.map(r => r.files).join('/')} paths, ${rows.map(r => r.pycs).join('/')} of them .pyc).`
)
console.log(
  `Bundle start, node launch to first process spawn: ${startupMs(path.join(benchDir, sizes[0] ? `n${sizes[0]}` : 'real', 'action'), path.join(benchDir, sizes[0] ? `n${sizes[0]}` : 'real', 'wheelhouse')).toFixed(0)} ms (median of 15)`
)
