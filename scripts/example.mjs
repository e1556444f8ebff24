// Quick start: runs the bundled action on a fresh copy of example/ the way a GitHub runner runs a
// job: the main step (dist/main/index.js), a later step (python app.py), then the post step
// (dist/post/index.js) with the state the main step saved. Offline, against a wheelhouse built on
// the spot; the venv cache goes to example/.cache, so a second run restores it.
// Inputs as arguments: npm run example -- python-version=3.12 packages=zeta
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { interpolate } from './expressions.mjs'
import {
  actionMetadata,
  commandFiles,
  parseCommandFile,
  root,
  runnerEnv,
  stateEnv,
  unexpectedInputs
} from './runner.mjs'
import { buildWheelhouse, isFreshWheelhouse } from './wheelhouse.mjs'

const example = path.join(root, 'example')
const base = path.join(example, '.runner')
const wheelhouse = path.join(example, '.wheelhouse')
const relative = (/** @type {string} */ p) => path.relative(process.cwd(), p) || '.'

/** @param {string} message */
function refuse(message) {
  console.error(`npm run example: ${message}`)
  process.exit(2)
}

const args = process.argv.slice(2)
const malformed = args.filter(a => !/^[^=\s]+=/.test(a))
if (malformed.length > 0)
  refuse(`inputs are name=value (e.g. python-version=3.12), not ${malformed.join(' ')}`)
/** @type {Record<string, string>} The step's `with:`: the example's cache-dir, then the arguments. */
const inputs = {
  'cache-dir': path.join(example, '.cache'),
  ...Object.fromEntries(args.map(a => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]))
}

fs.rmSync(base, { recursive: true, force: true })
const workspace = path.join(base, 'workspace')
fs.mkdirSync(workspace, { recursive: true })
for (const entry of fs.readdirSync(example).filter(e => !e.startsWith('.')))
  fs.cpSync(path.join(example, entry), path.join(workspace, entry), { recursive: true })

if (inputs['create-venv'] === 'false') scratchInterpreter()

if (!isFreshWheelhouse(wheelhouse)) {
  try {
    buildWheelhouse(wheelhouse)
  } catch (error) {
    refuse(error instanceof Error ? error.message : String(error))
  }
}

const { env, files } = runnerEnv({ dir: path.join(base, 'runner'), workspace, wheelhouse, inputs })
const action = actionMetadata()

console.log(`Run venv-guard on a fresh copy of example/ (${relative(workspace)})\n  with:`)
for (const [name, value] of Object.entries(inputs)) console.log(`    ${name}: ${value}`)
const unexpected = unexpectedInputs(Object.keys(inputs))
if (unexpected) console.log(`##[warning]${unexpected}`)

const main = step('main', action.runs.main, env)
const outputs = parseCommandFile(read(files.output))
const exported = parseCommandFile(read(files.env))
const added = read(files.path).split('\n').filter(Boolean)
show('outputs (steps.<id>.outputs)', outputs)
show('env of later steps (GITHUB_ENV)', exported)
console.log(
  `\n=== PATH of later steps starts with (GITHUB_PATH)\n${added.join('\n') || '(nothing added)'}`
)
show('state for the post step (STATE_* there)', parseCommandFile(read(files.state)))
console.log(`\n=== job summary (GITHUB_STEP_SUMMARY, Markdown)\n${read(files.summary).trim()}`)

/** Later steps and the post step see what the main step exported. */
const later = {
  ...env,
  ...exported,
  PATH: [...added.reverse(), env.PATH].join(path.delimiter)
}
if (main === 0 && outputs['python-path']) {
  console.log('\n=== a later step: python app.py')
  console.log(
    execFileSync(outputs['python-path'], ['app.py'], {
      cwd: workspace,
      env: later,
      encoding: 'utf8'
    }).trim()
  )
}

let post = 0
const postIf = action.runs['post-if'] ?? 'always()'
if (action.runs.post) {
  const status = main === 0 ? 'success' : 'failure'
  const condition = interpolate(`\${{ ${postIf.replace(/^\$\{\{|\}\}$/g, '')} }}`, { status })
  if (condition === 'true') {
    const postFiles = commandFiles(path.join(base, 'runner', 'post'))
    post = step('post', action.runs.post, {
      ...later,
      ...stateEnv(files.state),
      ...postFiles.env
    })
    const summary = read(postFiles.files.summary).trim()
    if (summary) console.log(`\n=== job summary of the post step\n${summary}`)
  } else console.log(`\n=== post step skipped (post-if: ${postIf})`)
}
process.exit(main || post)

/** @param {string} file */
function read(file) {
  return fs.readFileSync(file, 'utf8')
}

/** Runs one step of the action as the runner does and returns its exit code. @param {string} name @param {string} entry @param {Record<string, string>} stepEnv */
function step(name, entry, stepEnv) {
  console.log(`\n=== ${name} step: node ${entry}`)
  const started = Date.now()
  const result = spawnSync(process.execPath, [path.join(root, entry)], {
    cwd: workspace,
    env: stepEnv,
    stdio: 'inherit'
  })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  console.log(`=== the ${name} step exited with ${result.status} after ${seconds} s`)
  return result.status ?? 1
}

/** name = value lines; the lines of a multi-line value indented under it. @param {string} title @param {Record<string, string>} values */
function show(title, values) {
  const lines = Object.entries(values).map(
    ([name, value]) => `${name} = ${value.replaceAll('\n', `\n${' '.repeat(name.length + 3)}`)}`
  )
  console.log(`\n=== ${title}\n${lines.join('\n') || '(none)'}`)
}

/**
 * create-venv=false installs into the base interpreter itself. The example never lets it change one
 * of this machine's: it hands the action a scratch copy of a pyenv interpreter instead, and refuses
 * what it cannot copy.
 */
function scratchInterpreter() {
  if (inputs['python-path'])
    refuse(
      'with create-venv=false the action installs into python-path itself, and the example does not let it change an interpreter of this machine. Leave python-path out (the example then uses a scratch copy of a pyenv Python), or give create-venv=true.'
    )
  const versions = path.join(
    process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv'),
    'versions'
  )
  const spec = inputs['python-version'] ?? ''
  const matching = (fs.existsSync(versions) ? fs.readdirSync(versions) : [])
    .filter(
      v =>
        /^\d+\.\d+\.\d+$/.test(v) &&
        (spec === '' ? v.startsWith('3.') : v === spec || v.startsWith(`${spec}.`))
    )
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  const version = matching.at(-1)
  if (!version)
    refuse(
      `with create-venv=false the action installs into the interpreter itself, so the example uses a scratch copy of a pyenv Python, and pyenv has none matching "${spec || '3'}" here (give python-version as X.Y or X.Y.Z).`
    )
  const copy = path.join(base, `python-${version}`)
  execFileSync('cp', ['-a', path.join(versions, /** @type {string} */ (version)), copy])
  const minor = /** @type {string} */ (version).split('.').slice(0, 2).join('.')
  // The test suite is most of the copy, and nothing here runs it.
  fs.rmSync(path.join(copy, 'lib', `python${minor}`, 'test'), { recursive: true, force: true })
  delete inputs['python-version']
  inputs['python-path'] = path.join(copy, 'bin', 'python3')
  console.log(
    `create-venv=false installs into the interpreter itself: the action gets a scratch copy of pyenv's Python ${version} (${relative(copy)}), and this machine's own stays as it is.`
  )
}
