// The environment a GitHub runner gives a JavaScript action step, for running dist/ locally
// (the example and the benchmark): INPUT_* with action.yml's defaults, and the command files.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** @returns {Record<string, string>} */
export function inputDefaults() {
  /** @type {{ inputs: Record<string, { default?: string }> }} */
  const action = parse(fs.readFileSync(path.join(root, 'action.yml'), 'utf8'))
  return Object.fromEntries(
    Object.entries(action.inputs).map(([name, spec]) => [name, String(spec.default ?? '')])
  )
}

/**
 * Fresh runner files under `dir` and the environment that points at them. pip is offline and
 * hermetic: this machine's pip configuration stays out, the wheelhouse is the only index.
 * @param {{ dir: string, workspace: string, wheelhouse: string, inputs?: Record<string, string> }} options
 */
export function runnerEnv({ dir, workspace, wheelhouse, inputs = {} }) {
  fs.rmSync(dir, { recursive: true, force: true })
  for (const sub of ['temp', 'toolcache', 'home'])
    fs.mkdirSync(path.join(dir, sub), { recursive: true })
  const files = Object.fromEntries(
    ['output', 'env', 'path', 'summary', 'state'].map(f => [f, path.join(dir, f)])
  )
  for (const file of Object.values(files)) fs.writeFileSync(file, '')
  /** @type {Record<string, string>} */
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: path.join(dir, 'home'),
    PYENV_ROOT: process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv'),
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
    RUNNER_TEMP: path.join(dir, 'temp'),
    RUNNER_TOOL_CACHE: path.join(dir, 'toolcache')
  }
  for (const [name, value] of Object.entries({ ...inputDefaults(), ...inputs }))
    env[`INPUT_${name.toUpperCase()}`] = value
  return { env, files }
}

/**
 * The values of a runner command file (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE): `name<<delimiter`
 * blocks as @actions/core writes them, and plain `name=value` lines.
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function parseCommandFile(text) {
  /** @type {Record<string, string>} */
  const values = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[i])
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1)
      values[heredoc[1]] = lines.slice(i + 1, end).join('\n')
      i = end
    } else if (lines[i].includes('=')) {
      const eq = lines[i].indexOf('=')
      values[lines[i].slice(0, eq)] = lines[i].slice(eq + 1)
    }
  }
  return values
}

/** GITHUB_STATE's values as the runner hands them to the post step: STATE_<name>. @param {string} stateFile */
export function stateEnv(stateFile) {
  const state = parseCommandFile(fs.readFileSync(stateFile, 'utf8'))
  return Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]))
}
