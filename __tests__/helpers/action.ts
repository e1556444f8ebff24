import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  inputDefaults,
  parseAnnotations,
  parseCommandFile,
  parseCommands,
  stateEnv
} from '../../scripts/runner.mjs'
import { ROOT, WHEELHOUSE } from './paths.js'
import { installationDirs } from './pythons.js'

export { parseAnnotations, parseCommands }

/** The files and directories a runner gives a step; shared between main and post like on GitHub. */
export interface Runner {
  dir: string
  workspace: string
  home: string
  temp: string
  toolCache: string
  output: string
  env: string
  path: string
  summary: string
  state: string
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  properties: Record<string, string>
}

export interface ActionRun {
  exitCode: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  exportedEnv: Record<string, string>
  addedPath: string[]
  summary: string
  state: Record<string, string>
  annotations: Annotation[]
}

export interface RunOptions {
  inputs?: Record<string, string>
  /** Extra variables; undefined removes one from the hermetic base. */
  env?: Record<string, string | undefined>
  entry?: 'main' | 'post'
  /** Run as this user (runuser), like a self-hosted runner or container that is not root. */
  user?: string
  timeoutMs?: number
}

/** A fresh runner: workspace, HOME, RUNNER_TEMP, tool cache and the command files, all empty. */
export function newRunner(prefix = 'vg-'): Runner {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const runner: Runner = {
    dir,
    workspace: path.join(dir, 'workspace'),
    home: path.join(dir, 'home'),
    temp: path.join(dir, 'temp'),
    toolCache: path.join(dir, 'toolcache'),
    output: path.join(dir, 'files', 'output'),
    env: path.join(dir, 'files', 'env'),
    path: path.join(dir, 'files', 'path'),
    summary: path.join(dir, 'files', 'summary'),
    state: path.join(dir, 'files', 'state')
  }
  for (const d of [
    runner.workspace,
    runner.home,
    runner.temp,
    runner.toolCache,
    path.dirname(runner.output)
  ]) {
    fs.mkdirSync(d, { recursive: true })
  }
  for (const f of [runner.output, runner.env, runner.path, runner.summary, runner.state])
    fs.writeFileSync(f, '')
  return runner
}

/**
 * A clean environment for every child: no pip configuration of this machine (PIP_* cleared,
 * PIP_CONFIG_FILE at the null device), its own HOME, and pip pointed at the offline wheelhouse.
 * PATH ends with the test interpreters' directories it lacks (those named by VG_TEST_PYTHONS or
 * found in a tool cache), so that the action finds what the tests expect it to find.
 */
export function hermeticEnv(runner: Runner, wheelhouse = WHEELHOUSE): Record<string, string> {
  const env: Record<string, string> = {}
  for (const key of ['PATH', 'LANG', 'LC_ALL', 'TZ', 'PYENV_ROOT', 'SYSTEMROOT', 'TMPDIR']) {
    const value = process.env[key]
    if (value !== undefined) env[key] = value
  }
  const onPath = (env.PATH ?? '').split(path.delimiter)
  const missing = installationDirs().filter(
    dir => !dir.includes('/.pyenv/') && !onPath.includes(dir)
  )
  if (missing.length > 0) env.PATH = [...onPath, ...missing].join(path.delimiter)
  return {
    ...env,
    HOME: runner.home,
    PIP_CONFIG_FILE: os.devNull,
    PIP_NO_INDEX: '1',
    PIP_FIND_LINKS: wheelhouse,
    PYENV_ROOT: process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv')
  }
}

/** Runs the bundled action (`node dist/<entry>/index.js`) exactly as the runner starts it. */
export async function runAction(runner: Runner, options: RunOptions = {}): Promise<ActionRun> {
  const inputs = { ...inputDefaults(), ...options.inputs }
  const env: Record<string, string> = {
    ...hermeticEnv(runner),
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: runner.workspace,
    GITHUB_OUTPUT: runner.output,
    GITHUB_ENV: runner.env,
    GITHUB_PATH: runner.path,
    GITHUB_STEP_SUMMARY: runner.summary,
    GITHUB_STATE: runner.state,
    RUNNER_TEMP: runner.temp,
    RUNNER_TOOL_CACHE: runner.toolCache,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64'
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  // STATE_* is how the runner hands main's saved state to post.
  if (options.entry === 'post') Object.assign(env, stateEnv(runner.state))
  const entry = path.join(ROOT, 'dist', options.entry ?? 'main', 'index.js')
  const [command, args] = options.user
    ? [
        'runuser',
        [
          '-u',
          options.user,
          '--',
          'env',
          '-i',
          ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
          process.execPath,
          entry
        ]
      ]
    : [process.execPath, [entry]]
  const sizes = Object.fromEntries(
    [runner.output, runner.env, runner.path, runner.summary].map(f => [f, fs.statSync(f).size])
  )
  const { exitCode, stdout, stderr } = await new Promise<{
    exitCode: number
    stdout: string
    stderr: string
  }>((resolve, reject) => {
    const child = spawn(command, args as string[], {
      cwd: runner.workspace,
      env: options.user ? { PATH: process.env.PATH ?? '' } : env,
      timeout: options.timeoutMs ?? 290_000
    })
    let out = ''
    let err = ''
    child.stdout.on('data', d => (out += d))
    child.stderr.on('data', d => (err += d))
    child.on('error', reject)
    child.on('close', code => resolve({ exitCode: code ?? -1, stdout: out, stderr: err }))
  })
  const since = (file: string) => fs.readFileSync(file, 'utf8').slice(sizes[file])
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseCommandFile(since(runner.output)),
    exportedEnv: parseCommandFile(since(runner.env)),
    addedPath: since(runner.path)
      .split('\n')
      .filter(l => l !== ''),
    summary: since(runner.summary),
    state: parseCommandFile(fs.readFileSync(runner.state, 'utf8')),
    annotations: parseAnnotations(stdout) as Annotation[]
  }
}

export function errors(run: ActionRun): Annotation[] {
  return run.annotations.filter(a => a.level === 'error')
}

/** A short description of a run for assertion messages. */
export function describeRun(run: ActionRun): string {
  return `exit ${run.exitCode}\n--- stdout ---\n${run.stdout.slice(-4000)}\n--- stderr ---\n${run.stderr.slice(-2000)}`
}
