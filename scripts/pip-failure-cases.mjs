// Real pip failures for the annotation tests: each case is a small project that makes pip fail in
// one way against an offline wheelhouse. `node scripts/pip-failure-cases.mjs` runs every case with
// the pip of each pyenv Python below and saves what pip printed (stdout, then stderr, as runPip
// returns it) to __tests__/fixtures/pip-output/<case>.pip-<version>.txt; with case names as
// arguments, only those. Temporary directories are
// replaced by /project, /wheelhouse and /venv so that the fixtures do not depend on the machine.
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildWheelhouse, DEMO_PACKAGES } from './wheelhouse.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const FIXTURES = path.join(ROOT, '__tests__', 'fixtures', 'pip-output')

/** Packages that fail: a dependency no index has, one for a future Python, sources that cannot be built. @type {import('./wheelhouse.mjs').WheelSpec[]} */
export const FAILING_PACKAGES = [
  { name: 'needs-missing', version: '1.0.0', requires: ['not-in-index>=1'] },
  { name: 'future-python-only', version: '1.0.0', requiresPython: '>=3.99' },
  { name: 'broken-build', version: '1.0.0', sdist: 'fails-build' },
  { name: 'broken-metadata', version: '1.0.0', sdist: 'fails-metadata' }
]

const WRONG_HASH = `sha256:${'0'.repeat(64)}`

/** A pylock.toml as pip lock writes it, of these [[packages]] entries. @param {string[]} entries */
function lock(...entries) {
  return `lock-version = "1.0"\ncreated-by = "pip"\n\n${entries.join('\n')}`
}

/**
 * A [[packages]] entry with one wheel from the wheelhouse (its hash filled in by capture), or
 * from `source` (a `url = ...` or `path = ...` line).
 * @param {string} name @param {string} version @param {string} [source]
 */
function wheelEntry(name, version, source) {
  const wheel = `${name}-${version}-py3-none-any.whl`
  return `[[packages]]\nname = "${name}"\nversion = "${version}"\n\n[[packages.wheels]]\nname = "${wheel}"\n${source ?? `url = "file://WHEELHOUSE/${wheel}"`}\n\n[packages.wheels.hashes]\nsha256 = "HASH(${wheel})"\n`
}

/** A project pip can build without an index (an in-tree backend), for directory and VCS sources. */
const LOCAL_PROJECT = {
  'local/pyproject.toml':
    '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n\n[project]\nname = "localpkg"\nversion = "0.1.0"\n'
}
/** The same project as a git repository, and a lock entry naming a commit it does not have. */
const REPO_PROJECT = Object.fromEntries(
  Object.entries(LOCAL_PROJECT).map(([file, text]) => [file.replace('local/', 'repo/'), text])
)
const VCS_ENTRY = `[[packages]]\nname = "localpkg"\n\n[packages.vcs]\ntype = "git"\nurl = "file://PROJECT/repo"\ncommit-id = "${'0123456789abcdef'.repeat(2)}01234567"\n`
const DIRECTORY_ENTRY = '[[packages]]\nname = "localpkg"\n\n[packages.directory]\npath = "local"\n'

/**
 * @typedef {{ files: Record<string, string>, args?: string[], check?: boolean, legacy?: boolean, report?: boolean, lock?: boolean, git?: string }} FailureCase
 * files: the project's files, relative to it; requirements.txt is installed with -r.
 * args: instead of `-r requirements.txt`. check: run `pip check` after a --no-deps install.
 * legacy: pip 23 (packaging 21, legacy versions) accepts it; only newer pips fail.
 * report: no failure; the install succeeds and its `--report` JSON is the fixture.
 * lock: pip 26 (the wheelhouse's, run from its wheel) installs `-r /project/pylock.toml`; the
 * bundled pips know no lock files. git: a directory of the project made a git repository.
 * @type {Record<string, FailureCase>}
 */
export const CASES = {
  'not-found': {
    files: {
      'requirements.txt': 'alpha==1.0.0\n-r requirements/dev.txt\n',
      'requirements/dev.txt': '# dev tools\nbeta\nnonexistent-package==1.0\n'
    }
  },
  'no-version': {
    files: { 'requirements.txt': 'beta\n\nalpha>=3 ; python_version >= "3"\n' }
  },
  'requires-python': {
    files: { 'requirements.txt': 'zeta\nfuture-python-only==1.0.0\n' }
  },
  'dependency-not-found': {
    files: { 'requirements.txt': 'zeta\nneeds-missing\n' }
  },
  'invalid-requirement': {
    files: { 'requirements.txt': 'alpha\nbeta = 1.0\n' }
  },
  'invalid-version': {
    files: { 'requirements.txt': 'alpha\n\nbeta>=1.0<2.0\n' },
    legacy: true
  },
  'unknown-option': {
    files: { 'requirements.txt': 'alpha\n--no-such-option\n' }
  },
  conflict: {
    files: {
      'requirements.txt': '-r requirements/base.txt\nneeds-old-beta==1.0.0\n',
      'requirements/base.txt': 'zeta\nalpha==2.0.0\n'
    }
  },
  'conflict-user-pin': {
    files: { 'requirements.txt': 'beta==2.0.0\ndelta\nneeds-old-beta\n' }
  },
  'conflict-constraint': {
    files: {
      'requirements.txt': '-c constraints.txt\nalpha==2.0.0\n',
      'constraints.txt': 'zeta<1\nbeta==1.0.0\n'
    }
  },
  'hash-mismatch': {
    files: {
      'requirements.txt': `beta==2.0.0 \\\n    --hash=${WRONG_HASH}\nzeta==0.1.0 \\\n    --hash=${WRONG_HASH}\n`
    }
  },
  'hash-missing': {
    files: {
      'requirements.txt':
        '--require-hashes\ndelta==1.1.0 --hash=sha256:DELTA_HASH\ngamma==0.3.0\nzeta==0.1.0\n'
    }
  },
  'hash-unpinned': {
    files: { 'requirements.txt': 'delta --hash=sha256:DELTA_HASH\n' }
  },
  'build-failure': {
    files: { 'requirements.txt': 'zeta\nbroken-build==1.0.0\n' }
  },
  'metadata-failure': {
    files: { 'requirements.txt': 'zeta\n\nbroken-metadata\n' }
  },
  'missing-include': {
    files: { 'requirements.txt': 'zeta\n-r requirements/missing.txt\n' }
  },
  'not-installable': {
    files: { 'requirements.txt': 'zeta\n./libs/empty\n', 'libs/empty/README': 'no project here\n' }
  },
  'bad-pip-args': {
    files: { 'requirements.txt': 'zeta\n' },
    args: ['-r', 'requirements.txt', '--definitely-not-an-option']
  },
  'vcs-clone': {
    files: {
      'requirements.txt':
        'zeta\nsphinx-scrapy@git+https://user:tok3n@127.0.0.1:9/scrapy/sphinx-scrapy.git\n'
    }
  },
  'vcs-clone-bare': {
    files: { 'requirements.txt': 'zeta\n\ngit+https://127.0.0.1:9/celery/kombu.git\n' }
  },
  'url-unreachable': {
    files: {
      'requirements.txt': 'zeta\npkg @ https://127.0.0.1:9/files/pkg-1.0-py3-none-any.whl\n'
    }
  },
  'url-missing-file': {
    files: { 'requirements.txt': 'zeta\nfile:///nonexistent/dir/third-1.0.tar.gz\n' }
  },
  'editable-build-failure': {
    files: {
      'requirements.txt': 'zeta\n-e .\n',
      'pyproject.toml':
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
      'setup.py': 'raise RuntimeError("myapp cannot be built here (venv-guard test project)")\n'
    }
  },
  'not-found-no-file': {
    files: {},
    args: ['nonexistent-package']
  },
  'install-report': {
    files: { 'requirements.txt': 'alpha==1.0.0\nMixed_Case.Name\n' },
    args: ['setuptools', '-r', 'requirements.txt', 'epsilon'],
    report: true
  },
  'pip-check': {
    files: { 'requirements.txt': 'alpha==2.0.0\nbeta==1.0.0\ngamma\n' },
    check: true
  },
  'lock-url-unreachable': {
    files: {
      'pylock.toml': lock(
        wheelEntry('alpha', '1.0.0'),
        wheelEntry(
          'delta',
          '1.1.0',
          'url = "https://127.0.0.1:9/files/delta-1.1.0-py3-none-any.whl"'
        )
      )
    },
    lock: true
  },
  'lock-path-missing': {
    files: {
      'pylock.toml': lock(
        wheelEntry('alpha', '1.0.0'),
        wheelEntry('delta', '1.1.0', 'path = "wheels/delta-1.1.0-py3-none-any.whl"')
      )
    },
    lock: true
  },
  'lock-directory-hashes': {
    files: { 'pylock.toml': lock(wheelEntry('alpha', '1.0.0'), DIRECTORY_ENTRY), ...LOCAL_PROJECT },
    lock: true
  },
  'lock-editable-hashes': {
    files: {
      'pylock.toml': lock(wheelEntry('alpha', '1.0.0'), `${DIRECTORY_ENTRY}editable = true\n`),
      ...LOCAL_PROJECT
    },
    lock: true
  },
  'lock-vcs-commit': {
    files: { 'pylock.toml': lock(VCS_ENTRY), ...REPO_PROJECT },
    git: 'repo',
    lock: true
  },
  'lock-vcs-hashes': {
    files: { 'pylock.toml': lock(wheelEntry('alpha', '1.0.0'), VCS_ENTRY), ...REPO_PROJECT },
    git: 'repo',
    lock: true
  }
}

/** The pyenv interpreters whose pip makes the fixtures: 23.0.1, 23.2.1 and 24.2. */
const PYTHONS = ['3.10', '3.12', '3.13']

/** @param {string} minor */
function pyenvPython(minor) {
  const versions = path.join(
    process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv'),
    'versions'
  )
  const version = fs.readdirSync(versions).find(v => v.startsWith(`${minor}.`))
  if (!version) throw new Error(`pyenv has no Python ${minor}`)
  return path.join(versions, version, 'bin', 'python3')
}

/** @param {string} file */
function sha256(file) {
  return execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]
}

/** @param {string[]} only the cases to capture, all when empty */
function capture(only) {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vg-capture-')))
  const wheelhouse = path.join(tmp, 'wheelhouse')
  buildWheelhouse(wheelhouse, [...DEMO_PACKAGES, ...FAILING_PACKAGES])
  const deltaHash = sha256(path.join(wheelhouse, 'delta-1.1.0-py3-none-any.whl'))
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: tmp,
    LANG: 'C.UTF-8',
    PIP_CONFIG_FILE: os.devNull,
    PIP_NO_INDEX: '1',
    PIP_FIND_LINKS: wheelhouse,
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    PIP_USER: '0'
  }
  fs.mkdirSync(FIXTURES, { recursive: true })
  // Each bundled pip, then the wheelhouse's pip 26 run from its wheel, for the lock cases.
  const pip26 = fs.readdirSync(wheelhouse).find(f => /^pip-26\./.test(f))
  const pips = [
    ...PYTHONS.map(minor => ({ python: pyenvPython(minor), run: ['-m', 'pip'], locks: false })),
    ...(pip26
      ? [{ python: pyenvPython('3.12'), run: [path.join(wheelhouse, pip26, 'pip')], locks: true }]
      : [])
  ]
  /** @param {string} text */
  const filled = text =>
    text
      .replaceAll('DELTA_HASH', deltaHash)
      .replaceAll('WHEELHOUSE', wheelhouse)
      .replaceAll('PROJECT', path.join(tmp, 'project'))
      .replace(/HASH\(([^)]+)\)/g, (_, wheel) => sha256(path.join(wheelhouse, wheel)))
  for (const { python, run, locks } of pips) {
    const pipVersion = execFileSync(python, [...run, '--version'], { encoding: 'utf8' }).split(
      ' '
    )[1]
    for (const [name, spec] of Object.entries(CASES)) {
      if (only.length > 0 && !only.includes(name)) continue
      if (!!spec.lock !== locks) continue
      const project = path.join(tmp, 'project')
      const venv = path.join(tmp, 'venv')
      fs.rmSync(project, { recursive: true, force: true })
      fs.rmSync(venv, { recursive: true, force: true })
      for (const [file, content] of Object.entries(spec.files)) {
        fs.mkdirSync(path.dirname(path.join(project, file)), { recursive: true })
        fs.writeFileSync(path.join(project, file), filled(content))
      }
      fs.mkdirSync(project, { recursive: true })
      if (spec.git) {
        const git = ['-c', 'user.name=venv-guard', '-c', 'user.email=tests@venv-guard.invalid']
        const repo = { cwd: path.join(project, spec.git) }
        execFileSync('git', ['init', '-q'], repo)
        execFileSync('git', ['add', '.'], repo)
        execFileSync('git', [...git, 'commit', '-qm', 'project'], repo)
      }
      execFileSync(python, ['-m', 'venv', '--without-pip', venv])
      // As the action runs pip for a new venv: the base interpreter's pip, driving the venv.
      const pip = [...run, '--python', path.join(venv, 'bin', 'python')]
      const install = [
        'install',
        '--no-compile',
        ...(spec.check ? ['--no-deps'] : []),
        ...(spec.args ?? ['-r', path.join(project, spec.lock ? 'pylock.toml' : 'requirements.txt')])
      ]
      const report = path.join(tmp, 'report.json')
      if (spec.report) install.push('--report', report)
      let result = spawnSync(python, [...pip, ...install], { cwd: project, env, encoding: 'utf8' })
      if (spec.check)
        result = spawnSync(python, [...pip, 'check'], { cwd: project, env, encoding: 'utf8' })
      if (spec.report && result.status === 0) {
        const json = fs.readFileSync(report, 'utf8').replaceAll(wheelhouse, '/wheelhouse')
        fs.writeFileSync(path.join(FIXTURES, `${name}.pip-${pipVersion}.json`), json)
        continue
      }
      if (result.status === 0 && spec.legacy) continue
      if (result.status === 0) throw new Error(`${name} with pip ${pipVersion} did not fail`)
      // pip 26 lowercases the URL in "Failed to build ... when git fetch URL": any case.
      /** @param {string} text @param {string} from @param {string} to */
      const replace = (text, from, to) =>
        text.replace(new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), to)
      const output = [
        [project, '/project'],
        [wheelhouse, '/wheelhouse'],
        [venv, '/venv'],
        [tmp, '/tmp']
      ].reduce((text, [from, to]) => replace(text, from, to), `${result.stdout}\n${result.stderr}`)
      fs.writeFileSync(path.join(FIXTURES, `${name}.pip-${pipVersion}.txt`), output)
      console.log(`${name} pip ${pipVersion}: exit ${result.status}`)
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) capture(process.argv.slice(2))
