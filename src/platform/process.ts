import * as core from '@actions/core'
import * as exec from '@actions/exec'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ActionError, errorMessage } from '../action/errors.js'

export interface RunOptions {
  cwd?: string
  /** Variables to set (a string) or remove (undefined) on top of this process's environment. */
  env?: Record<string, string | undefined>
  /** Stream the child's output into the log as it comes. */
  stream?: boolean
  /** Shown instead of the argument list when it would reveal a secret. */
  display?: string
}

export interface RunResult {
  exitCode: number
  stdout: string
  stderr: string
}

export function childEnv(
  overrides: Record<string, string | undefined> = {}
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries({ ...process.env, ...overrides })) {
    if (value !== undefined) env[key] = value
  }
  return env
}

/**
 * Runs a program with an argument array, never through a shell. The exit status is returned, not
 * thrown; a program that cannot be started throws an ActionError that says so.
 */
export async function run(
  command: string,
  args: string[],
  options: RunOptions = {}
): Promise<RunResult> {
  if (options.stream) core.info(`[command] ${options.display ?? [command, ...args].join(' ')}`)
  const write = (target: NodeJS.WriteStream) => (data: Buffer) => {
    if (options.stream) target.write(data)
  }
  let result: exec.ExecOutput
  try {
    // @actions/exec splits its first argument into words: quoted, a path with spaces stays one.
    result = await exec.getExecOutput(`"${command.replace(/"/g, '\\"')}"`, args, {
      cwd: options.cwd,
      env: childEnv(options.env),
      silent: true,
      ignoreReturnCode: true,
      listeners: { stdout: write(process.stdout), stderr: write(process.stderr) }
    })
  } catch (error) {
    throw new ActionError(
      `Could not start ${command}: ${errorMessage(error)} If it was there a moment ago, something removed it or changed its permissions while venv-guard ran; run the step again.`
    )
  }
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }
}

/**
 * A file shipped beside the module that uses it: next to its .ts in src/, and beside index.js in
 * the bundle, where scripts/build.mjs copies the Python helpers (their names are unique for that).
 */
export function shippedFile(moduleUrl: string, name: string): string {
  return path.join(path.dirname(fileURLToPath(moduleUrl)), name)
}
