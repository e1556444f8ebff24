// Quick start: runs the bundled action (dist/main/index.js) on example/ exactly as a runner would,
// offline against a wheelhouse built on the spot, then shows what a later step would see.
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { buildWheelhouse } from './wheelhouse.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const workspace = path.join(root, 'example')
const runner = path.join(workspace, '.runner')
const wheelhouse = path.join(workspace, '.wheelhouse')
fs.rmSync(runner, { recursive: true, force: true })
for (const dir of ['temp', 'toolcache', 'home'])
  fs.mkdirSync(path.join(runner, dir), { recursive: true })
const files = Object.fromEntries(
  ['output', 'env', 'path', 'summary', 'state'].map(f => [f, path.join(runner, f)])
)
for (const file of Object.values(files)) fs.writeFileSync(file, '')
if (!fs.existsSync(wheelhouse)) buildWheelhouse(wheelhouse)

const inputs = parse(fs.readFileSync(path.join(root, 'action.yml'), 'utf8')).inputs
/** @type {Record<string, string | undefined>} */
const env = {
  PATH: process.env.PATH,
  HOME: path.join(runner, 'home'),
  PYENV_ROOT: process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv'),
  // Offline and hermetic: this machine's pip configuration stays out of the example.
  PIP_CONFIG_FILE: os.devNull,
  PIP_NO_INDEX: '1',
  PIP_FIND_LINKS: wheelhouse,
  GITHUB_ACTIONS: 'true',
  GITHUB_WORKSPACE: workspace,
  GITHUB_OUTPUT: files.output,
  GITHUB_ENV: files.env,
  GITHUB_PATH: files.path,
  GITHUB_STEP_SUMMARY: files.summary,
  GITHUB_STATE: files.state,
  RUNNER_TEMP: path.join(runner, 'temp'),
  RUNNER_TOOL_CACHE: path.join(runner, 'toolcache')
}
for (const [name, spec] of Object.entries(inputs))
  env[`INPUT_${name.toUpperCase()}`] = String(spec.default ?? '')
for (const arg of process.argv.slice(2)) {
  const eq = arg.indexOf('=')
  if (eq > 0) env[`INPUT_${arg.slice(0, eq).toUpperCase()}`] = arg.slice(eq + 1)
}

const started = Date.now()
const result = spawnSync(process.execPath, [path.join(root, 'dist', 'main', 'index.js')], {
  cwd: workspace,
  env,
  stdio: 'inherit'
})
console.log(
  `\n=== the action exited with ${result.status} after ${((Date.now() - started) / 1000).toFixed(1)} s`
)
for (const [name, file] of Object.entries(files)) {
  const text = fs.readFileSync(file, 'utf8').trim()
  if (text) console.log(`\n=== ${name.toUpperCase()} (${path.relative(root, file)})\n${text}`)
}
if (result.status === 0) {
  const venvBin = fs.readFileSync(files.path, 'utf8').trim().split('\n')[0]
  console.log('\n=== a later step: python app.py')
  console.log(
    execFileSync(path.join(venvBin, 'python'), ['app.py'], {
      cwd: workspace,
      encoding: 'utf8'
    }).trim()
  )
}
process.exit(result.status ?? 1)
