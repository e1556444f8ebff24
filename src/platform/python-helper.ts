import { PROBE_TIMEOUT_MS, run, shippedFile } from './process.js'

/**
 * The Python helpers venv-guard ships (interpreter_probe.py, user_site_probe.py, venv_health.py):
 * each is run by an interpreter and answers with one line, `venv-guard-result: {json}`. Only that
 * line is read, so whatever else the interpreter prints (a sitecustomize that prints at exit, a
 * shim's banner) cannot be taken for the answer. One runner, one policy for what went wrong.
 */

export const RESULT_PREFIX = 'venv-guard-result: '

/** The helper's answer in its output: the last line that starts with the prefix. */
export function helperResult<T>(stdout: string): T | undefined {
  const line = stdout
    .split(/\r?\n/)
    .reverse()
    .find(l => l.startsWith(RESULT_PREFIX))
  if (line === undefined) return undefined
  try {
    return JSON.parse(line.slice(RESULT_PREFIX.length)) as T
  } catch {
    return undefined
  }
}

export type HelperRun<T> =
  | { ok: true; value: T }
  /** `why`: a timeout, an exit status with the last words, or no answer; for the caller's message. */
  | { ok: false; timedOut: boolean; why: string }

export interface HelperOptions {
  /** Interpreter flags before the script (`-I` for an isolated run). */
  flags?: string[]
  cwd?: string
  env?: Record<string, string | undefined>
  timeoutMs?: number
}

/** Runs a shipped helper with `interpreter` (a command and its leading arguments) and reads its answer. */
export async function runHelper<T>(
  interpreter: [string, ...string[]],
  moduleUrl: string,
  script: string,
  args: string[] = [],
  options: HelperOptions = {}
): Promise<HelperRun<T>> {
  const [command, ...leading] = interpreter
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS
  let result
  try {
    result = await run(
      command,
      [...leading, ...(options.flags ?? []), shippedFile(moduleUrl, script), ...args],
      { cwd: options.cwd, env: options.env, timeoutMs }
    )
  } catch (error) {
    return { ok: false, timedOut: false, why: `it does not start: ${(error as Error).message}` }
  }
  if (result.timedOut) {
    return { ok: false, timedOut: true, why: `it did not finish within ${timeoutMs / 1000} s` }
  }
  const value = result.exitCode === 0 ? helperResult<T>(result.stdout) : undefined
  if (value !== undefined) return { ok: true, value }
  const said = (result.stderr || result.stdout).trim().split(/\r?\n/).slice(-3).join(' ')
  return {
    ok: false,
    timedOut: false,
    why:
      result.exitCode !== 0
        ? `it exits with ${result.exitCode}: ${said}`
        : `it printed no answer: ${said.slice(0, 200)}`
  }
}
