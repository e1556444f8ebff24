// Offline wheelhouses for the tests, the example and the benchmark: small pure-Python wheels made
// on the spot, plus real pip/setuptools/wheel wheels from the machine's pip configuration and its
// interpreters.
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const MAKE_WHEELS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'make_wheels.py')

/**
 * @typedef {{ name: string, version: string, requires?: string[], extras?: string[], requiresPython?: string, script?: boolean, modules?: number, files?: Record<string, string>, sdist?: 'fails-metadata' | 'fails-build' }} WheelSpec
 */

/** Builds wheels with the machine's python3 (a wheel is only a zip). @param {string} dir @param {WheelSpec[]} specs */
export function makeWheels(dir, specs) {
  fs.mkdirSync(dir, { recursive: true })
  const specFile = path.join(dir, `.spec-${process.pid}-${Date.now()}.json`)
  fs.writeFileSync(specFile, JSON.stringify(specs))
  try {
    execFileSync('python3', [MAKE_WHEELS, dir, specFile], { stdio: 'pipe' })
  } finally {
    fs.rmSync(specFile, { force: true })
  }
}

/**
 * A project directory that builds into the wheel makeWheels makes, with make_wheels.py as its
 * in-tree build backend (wheels and editable installs): pip builds it offline.
 * @param {string} dir @param {WheelSpec} spec
 */
export function writeProject(dir, spec) {
  fs.mkdirSync(dir, { recursive: true })
  fs.copyFileSync(MAKE_WHEELS, path.join(dir, 'make_wheels.py'))
  fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(spec))
  fs.writeFileSync(
    path.join(dir, 'pyproject.toml'),
    '[build-system]\nrequires = []\nbuild-backend = "make_wheels"\nbackend-path = ["."]\n'
  )
}

/**
 * An sdist of writeProject's project: pip builds it offline, and keeps the wheel in its cache.
 * @param {string} dir @param {WheelSpec} spec
 */
export function makeSdist(dir, spec) {
  const stem = `${spec.name}-${spec.version}`
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sdist-'))
  writeProject(path.join(scratch, stem), spec)
  fs.mkdirSync(dir, { recursive: true })
  execFileSync('tar', ['-czf', path.join(dir, `${stem}.tar.gz`), '-C', scratch, stem])
  fs.rmSync(scratch, { recursive: true, force: true })
}

const TOOL_WHEELS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tool_wheels.py')
const TOOLS = ['pip', 'setuptools', 'wheel']
/** Debian's python3-*-whl packages. */
const DEBIAN_WHEELS = '/usr/share/python-wheels'
/** Written last into a finished wheelhouse: what it holds. */
const MANIFEST = 'wheelhouse.json'

/** @typedef {{ path: string, name: string, version: string, requiresPython: string }} ToolWheel */

/** @param {string} version */
const numbers = version => (version.match(/\d+/g) ?? []).map(Number)

/** @param {string} a @param {string} b */
export function compareVersions(a, b) {
  const [x, y] = [numbers(a), numbers(b)]
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0)
  return 0
}

/**
 * Whether a Requires-Python specifier (`>=3.8`, `>=2.7,!=3.0.*`) admits a Python version: the
 * operators pip, setuptools and wheel use. @param {string} spec @param {string} python
 */
export function admits(spec, python) {
  return spec
    .split(',')
    .filter(c => c.trim())
    .every(clause => {
      const m = /^\s*(~=|===?|!=|<=|>=|<|>)\s*([\d.]+?)(\.\*)?\s*$/.exec(clause)
      if (!m) return true // a form pip would reject anyway: let pip decide
      const [, op, version, star] = m
      const prefix = numbers(python).slice(0, numbers(version).length).join('.')
      if (star) return (op === '!=') !== (prefix === numbers(version).join('.'))
      const c = compareVersions(python, version)
      if (op === '~=')
        return (
          c >= 0 &&
          compareVersions(python, numbers(version).slice(0, -1).join('.') + '.999999') <= 0
        )
      return (
        {
          '==': c === 0,
          '===': c === 0,
          '!=': c !== 0,
          '<=': c <= 0,
          '>=': c >= 0,
          '<': c < 0,
          '>': c > 0
        }[op] ?? true
      )
    })
}

/** Where pyenv's interpreters keep real tool wheels: their ensurepip bundles and test data. */
function pyenvWheelDirs() {
  const versions = path.join(
    process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv'),
    'versions'
  )
  /** @param {string} dir */
  const list = dir => (fs.existsSync(dir) ? fs.readdirSync(dir) : [])
  return list(versions).flatMap(v =>
    list(path.join(versions, v, 'lib'))
      .filter(d => d.startsWith('python'))
      .flatMap(d =>
        ['ensurepip/_bundled', 'test', 'test/wheeldata'].map(sub =>
          path.join(versions, v, 'lib', d, sub)
        )
      )
  )
}

/**
 * The newest pip, setuptools and wheel and their dependencies through this machine's pip
 * configuration (its index or mirror; PyPI by default), into `dir`. Quick to give up: no retries, a short timeout.
 * @param {string} dir @returns {string} why nothing came, or '' when it worked
 */
function fetchToolWheels(dir) {
  const args = [
    '-m',
    'pip',
    'download',
    '--disable-pip-version-check',
    '--retries',
    '0',
    '--timeout',
    '10'
  ]
  args.push('--only-binary', ':all:', '--dest', dir, ...TOOLS)
  const result = spawnSync('python3', args, { encoding: 'utf8', timeout: 120_000 })
  if (result.status === 0) return ''
  const last = `${result.stderr ?? ''}${result.error?.message ?? ''}`.trim().split('\n').pop()
  return last || `pip download exited with ${result.status}`
}

/**
 * Real pip, setuptools and wheel wheels for a wheelhouse: fetched through the machine's pip
 * configuration, and those it keeps already (Debian's python3-*-whl, interpreters' ensurepip bundles
 * and test data). For each project and each Requires-Python, the newest: pip picks what suits each
 * interpreter, as it would from an index. Says in one line where they came from.
 * @param {string} scratch a directory for the fetched wheels
 * @returns {ToolWheel[]}
 */
function toolWheels(scratch) {
  const fetched = path.join(scratch, 'fetched')
  const missed = fetchToolWheels(fetched)
  const output = execFileSync(
    'python3',
    [TOOL_WHEELS, fetched, DEBIAN_WHEELS, ...pyenvWheelDirs()],
    {
      encoding: 'utf8'
    }
  )
  /** @type {Map<string, ToolWheel>} */
  const newest = new Map()
  for (const wheel of /** @type {ToolWheel[]} */ (JSON.parse(output))) {
    const key = `${wheel.name} ${wheel.requiresPython}`
    const known = newest.get(key)
    if (!known || compareVersions(wheel.version, known.version) > 0) newest.set(key, wheel)
  }
  const wheels = [...newest.values()].sort((a, b) => compareVersions(b.version, a.version))
  const absent = TOOLS.filter(name => !wheels.some(w => w.name === name))
  if (absent.length > 0)
    throw new Error(
      `The offline wheelhouse needs real wheels of ${absent.join(', ')}, and this machine gives none: ` +
        `pip's configuration gave nothing (${missed}), and no interpreter or Debian package here ships them. ` +
        'Make them reachable: an index or mirror in pip.conf (or PIP_INDEX_URL), PIP_FIND_LINKS=<a directory with those wheels>, ' +
        'or on Debian/Ubuntu apt-get install python3-pip-whl python3-setuptools-whl python3-wheel-whl.'
    )
  const others = wheels.filter(w => !TOOLS.includes(w.name)).map(w => `${w.name} ${w.version}`)
  const summary = TOOLS.map(
    name =>
      `${name} ${wheels
        .filter(w => w.name === name)
        .map(w => w.version)
        .join('/')}`
  )
  console.error(
    `wheelhouse: ${[...summary, ...others].join(', ')} (${missed ? `pip's configuration gave nothing: ${missed}; ` : ''}newest first, each for the Pythons it supports)`
  )
  return wheels
}

/**
 * The version of a tool wheel that pip picks from the wheelhouse for a Python version.
 * @param {string} wheelhouse @param {string} name @param {string} python
 */
export function toolWheelVersion(wheelhouse, name, python) {
  /** @type {ToolWheel[]} */
  const tools = JSON.parse(fs.readFileSync(path.join(wheelhouse, MANIFEST), 'utf8')).tools
  const fitting = tools.filter(w => w.name === name && admits(w.requiresPython, python))
  return fitting.sort((a, b) => compareVersions(b.version, a.version))[0]?.version ?? ''
}

/** Ten small packages with dependencies between them, one with a console script. @type {WheelSpec[]} */
export const DEMO_PACKAGES = [
  { name: 'alpha', version: '1.0.0', requires: ['beta>=1'], script: true },
  { name: 'alpha', version: '2.0.0', requires: ['beta>=2'], script: true },
  { name: 'beta', version: '1.0.0' },
  { name: 'beta', version: '2.0.0' },
  { name: 'gamma', version: '0.3.0', requires: ['delta'] },
  { name: 'delta', version: '1.1.0' },
  { name: 'epsilon', version: '5.0.0', requires: ["zeta; python_version >= '3'"] },
  { name: 'zeta', version: '0.1.0' },
  { name: 'needs-old-beta', version: '1.0.0', requires: ['beta<2'] },
  { name: 'Mixed_Case.Name', version: '0.9.0' }
]

/** Whether `dir` is a wheelhouse buildWheelhouse finished. @param {string} dir */
export function isWheelhouse(dir) {
  return fs.existsSync(path.join(dir, MANIFEST))
}

/** A day: an index or mirror may have published a newer pip since. */
const MAX_AGE_MS = 24 * 60 * 60 * 1000

/**
 * What a wheelhouse is made from: the packages asked for, the code that builds them, the tool
 * wheels this machine keeps and the pip configuration that fetches the others. Equal recipes make
 * equal wheelhouses. @param {WheelSpec[]} specs
 */
function recipe(specs) {
  const hash = createHash('sha256')
  hash.update(JSON.stringify(specs))
  for (const file of [fileURLToPath(import.meta.url), MAKE_WHEELS, TOOL_WHEELS])
    hash.update(fs.readFileSync(file))
  for (const dir of [DEBIAN_WHEELS, ...pyenvWheelDirs()])
    if (fs.existsSync(dir)) hash.update(`${dir}:${fs.readdirSync(dir).sort().join(',')}\n`)
  for (const [name, value] of Object.entries(process.env).sort())
    if (name.startsWith('PIP_')) hash.update(`${name}=${value}\n`)
  const config = spawnSync('python3', ['-m', 'pip', 'config', 'list'], { encoding: 'utf8' })
  hash.update(config.stdout ?? '')
  return hash.digest('hex')
}

/**
 * Whether `dir` is a finished wheelhouse of this recipe, less than a day old: then it is used as
 * it is, and a test run does not pay for a rebuild (nor for `pip download`).
 * @param {string} dir @param {WheelSpec[]} specs
 */
export function isFreshWheelhouse(dir, specs = DEMO_PACKAGES) {
  if (!isWheelhouse(dir)) return false
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8'))
    return manifest.recipe === recipe(specs) && Date.now() - manifest.built < MAX_AGE_MS
  } catch {
    return false
  }
}

/**
 * A wheelhouse of the tool wheels and the given packages, built in a temporary directory and
 * renamed into place: `dir` is either whole or absent, never half built. An unfinished or stale
 * one (isFreshWheelhouse) is replaced.
 * @param {string} dir @param {WheelSpec[]} specs
 */
export function buildWheelhouse(dir, specs = DEMO_PACKAGES) {
  if (spawnSync('python3', ['--version']).status !== 0)
    throw new Error('No python3 on PATH: the wheelhouse is built with it. Install Python 3.')
  fs.mkdirSync(path.dirname(dir), { recursive: true })
  const scratch = fs.mkdtempSync(`${dir}.tmp-`)
  const house = path.join(scratch, 'wheelhouse')
  try {
    fs.mkdirSync(house)
    const tools = toolWheels(scratch)
    for (const wheel of tools)
      fs.copyFileSync(wheel.path, path.join(house, path.basename(wheel.path)))
    makeWheels(house, specs)
    const manifest = {
      tools: tools.map(w => ({ ...w, path: path.basename(w.path) })),
      packages: specs,
      recipe: recipe(specs),
      built: Date.now()
    }
    fs.writeFileSync(path.join(house, MANIFEST), JSON.stringify(manifest, null, 2))
    if (fs.existsSync(dir) && !isFreshWheelhouse(dir, specs))
      fs.rmSync(dir, { recursive: true, force: true })
    try {
      fs.renameSync(house, dir)
    } catch (error) {
      // Another build finished first: its wheelhouse is as good.
      if (!isWheelhouse(dir)) throw error
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}
