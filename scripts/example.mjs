// Quick start: runs the bundled action (dist/main/index.js) on example/ exactly as a runner would,
// offline against a wheelhouse built on the spot, then shows what a later step would see.
// Inputs as arguments: npm run example -- python-version=3.12
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { root, runnerEnv } from './runner.mjs'
import { buildWheelhouse } from './wheelhouse.mjs'

const workspace = path.join(root, 'example')
const wheelhouse = path.join(workspace, '.wheelhouse')
if (!fs.existsSync(wheelhouse)) buildWheelhouse(wheelhouse)
const inputs = Object.fromEntries(
  process.argv
    .slice(2)
    .filter(a => a.includes('='))
    .map(a => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)])
)
const { env, files } = runnerEnv({
  dir: path.join(workspace, '.runner'),
  workspace,
  wheelhouse,
  inputs
})

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
