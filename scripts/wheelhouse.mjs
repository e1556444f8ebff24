// Offline wheelhouses for the tests, the example and the benchmark: small pure-Python wheels made
// on the spot, plus the newest real pip/setuptools/wheel wheels this machine has.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const MAKE_WHEELS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'make_wheels.py')

/**
 * @typedef {{ name: string, version: string, requires?: string[], extras?: string[], requiresPython?: string, script?: boolean, modules?: number, sdist?: 'fails-metadata' | 'fails-build' }} WheelSpec
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

/** @param {string} file */
function versionOf(file) {
  return (/-(\d+(?:\.\d+)*)-/.exec(path.basename(file))?.[1] ?? '0').split('.').map(Number)
}

/** @param {number[]} a @param {number[]} b */
function compareVersions(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0)
  }
  return 0
}

/**
 * The newest pip, setuptools and wheel wheels on this machine: the pyenv interpreters' ensurepip
 * bundles and Debian's python3-*-whl packages. @returns {string[]}
 */
export function toolWheels() {
  const dirs = ['/usr/share/python-wheels']
  const versions = path.join(
    process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv'),
    'versions'
  )
  for (const v of fs.existsSync(versions) ? fs.readdirSync(versions) : []) {
    const lib = path.join(versions, v, 'lib')
    for (const py of fs.existsSync(lib) ? fs.readdirSync(lib) : [])
      dirs.push(path.join(lib, py, 'ensurepip', '_bundled'))
  }
  const all = dirs.flatMap(dir =>
    (fs.existsSync(dir) ? fs.readdirSync(dir) : [])
      .filter(f => /-py3.*\.whl$/.test(f))
      .map(f => path.join(dir, f))
  )
  return ['pip', 'setuptools', 'wheel'].map(name => {
    const candidates = all.filter(f => path.basename(f).startsWith(`${name}-`))
    if (candidates.length === 0)
      throw new Error(`no ${name} wheel on this machine (apt-get install python3-${name}-whl)`)
    return candidates.sort((a, b) => compareVersions(versionOf(b), versionOf(a)))[0]
  })
}

/** The version of the pip/setuptools/wheel wheel a wheelhouse carries. @param {string} name */
export function toolWheelVersion(name) {
  const wheel = toolWheels().find(w => path.basename(w).startsWith(`${name}-`)) ?? ''
  return /-([^-]+)-py/.exec(path.basename(wheel))?.[1] ?? ''
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

/** A wheelhouse of the tool wheels and the given packages. @param {string} dir @param {WheelSpec[]} specs */
export function buildWheelhouse(dir, specs = DEMO_PACKAGES) {
  fs.mkdirSync(dir, { recursive: true })
  for (const wheel of toolWheels()) fs.copyFileSync(wheel, path.join(dir, path.basename(wheel)))
  makeWheels(dir, specs)
}
