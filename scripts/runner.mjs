// The environment a GitHub runner gives a JavaScript action step, for running dist/ locally
// (the example, the benchmark and the tests): INPUT_* with action.yml's defaults as the runner
// evaluates them, the command files, and the state handed from the main step to the post step.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { interpolate } from './expressions.mjs'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/**
 * @typedef {{
 *   inputs: Record<string, { default?: string }>,
 *   runs: { main: string, post?: string, 'post-if'?: string }
 * }} ActionMetadata
 */

/** @returns {ActionMetadata} */
export function actionMetadata() {
  return parse(fs.readFileSync(path.join(root, 'action.yml'), 'utf8'))
}

/** What a runner on github.com knows outside a job: no token. */
export const LOCAL_GITHUB = { server_url: 'https://github.com', token: '' }

/**
 * action.yml's input defaults as the runner applies them: expressions evaluated (the `token`
 * default is the job's token on github.com), and a default beyond what interpolate() evaluates left
 * unset rather than passed on as `${{ … }}` text.
 * @param {Record<string, string>} github @returns {Record<string, string>}
 */
export function inputDefaults(github = LOCAL_GITHUB) {
  /** @type {Record<string, string>} */
  const defaults = {}
  for (const [name, spec] of Object.entries(actionMetadata().inputs)) {
    const value = interpolate(String(spec.default ?? ''), { github })
    if (value !== undefined) defaults[name] = value
  }
  return defaults
}

/**
 * The runner's warning for `with:` keys the action does not declare (it passes them on all the same),
 * or '' when all are known. @param {string[]} names
 */
export function unexpectedInputs(names) {
  const valid = Object.keys(actionMetadata().inputs)
  const unknown = names.filter(n => !valid.some(v => v.toLowerCase() === n.toLowerCase()))
  if (unknown.length === 0) return ''
  return `Unexpected input(s) '${unknown.join("', '")}', valid inputs are ['${valid.join("', '")}']`
}

/**
 * Fresh, empty command files for one step in `dir`: each step gets its own, as on a runner.
 * @param {string} dir
 */
export function commandFiles(dir) {
  fs.mkdirSync(dir, { recursive: true })
  const files = Object.fromEntries(
    ['output', 'env', 'path', 'summary', 'state'].map(f => [f, path.join(dir, f)])
  )
  for (const file of Object.values(files)) fs.writeFileSync(file, '')
  return {
    files,
    env: {
      GITHUB_OUTPUT: files.output,
      GITHUB_ENV: files.env,
      GITHUB_PATH: files.path,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_STATE: files.state
    }
  }
}

/**
 * Fresh runner files under `dir` and the environment that points at them. pip is offline and
 * hermetic: this machine's pip configuration stays out, the wheelhouse is the only index.
 * A `toolCache` given is kept from step to step (a self-hosted runner's); else a new one is made.
 * @param {{ dir: string, workspace: string, wheelhouse: string, inputs?: Record<string, string>, toolCache?: string }} options
 */
export function runnerEnv({ dir, workspace, wheelhouse, inputs = {}, toolCache }) {
  fs.rmSync(dir, { recursive: true, force: true })
  for (const sub of ['temp', 'toolcache', 'home'])
    fs.mkdirSync(path.join(dir, sub), { recursive: true })
  const { files, env: fileEnv } = commandFiles(dir)
  /** @type {Record<string, string>} */
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: path.join(dir, 'home'),
    PYENV_ROOT: process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv'),
    PIP_CONFIG_FILE: os.devNull,
    PIP_NO_INDEX: '1',
    PIP_FIND_LINKS: wheelhouse,
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: LOCAL_GITHUB.server_url,
    GITHUB_WORKSPACE: workspace,
    ...fileEnv,
    RUNNER_TEMP: path.join(dir, 'temp'),
    RUNNER_TOOL_CACHE: toolCache ?? path.join(dir, 'toolcache')
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

/** @typedef {{ level: 'error' | 'warning' | 'notice', message: string, properties: Record<string, string> }} Annotation */

/** @param {string} s */
const unescapeData = s => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
/** @param {string} s */
const unescapeProperty = s => unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',')

/** @typedef {{ command: string, properties: Record<string, string>, data: string }} WorkflowCommand */

/**
 * The workflow commands in a step's output, found the way the runner finds them
 * (ActionCommandManager): a line that starts with `::name ...::` once leading white space is
 * trimmed, or the legacy `##[name ...]` anywhere in a line; `::stop-commands::TOKEN` ignores every
 * command until `::TOKEN::`. @param {string} stdout @returns {WorkflowCommand[]}
 */
export function parseCommands(stdout) {
  /** @type {WorkflowCommand[]} */
  const found = []
  /** @type {string | undefined} */
  let stopToken
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\r$/, '')
    const v2 = /^::([^ :]+)(?: ([^:]*))?::(.*)$/.exec(line.trimStart())
    const m = v2 ?? /##\[([^ \]]+)(?: ([^\]]*))?\](.*)$/.exec(line)
    if (!m) continue
    const command = m[1].toLowerCase()
    if (stopToken !== undefined) {
      if (command === stopToken.toLowerCase()) stopToken = undefined
      continue
    }
    if (command === 'stop-commands') {
      stopToken = v2 ? unescapeData(m[3]) : m[3]
      continue
    }
    /** @type {Record<string, string>} */
    const properties = {}
    for (const pair of (m[2] ?? '').split(v2 ? ',' : ';').filter(p => p.trim() !== '')) {
      const eq = pair.indexOf('=')
      if (eq > 0) properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1))
    }
    found.push({ command, properties, data: unescapeData(m[3]) })
  }
  return found
}

/**
 * The annotations in a step's log: `::error file=…,line=…,title=…::message` commands as the runner
 * reads them (see parseCommands). @param {string} stdout @returns {Annotation[]}
 */
export function parseAnnotations(stdout) {
  return parseCommands(stdout)
    .filter(c => ['error', 'warning', 'notice'].includes(c.command))
    .map(c => ({
      level: /** @type {Annotation['level']} */ (c.command),
      message: c.data,
      properties: c.properties
    }))
}
