import { moduleArgs } from '../python/launch.js'
import { compareParts } from '../python/version-spec.js'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ActionError } from '../report/diagnostic.js'
import { systemWheelDirs, venvPython } from '../platform/os.js'
import { run } from '../platform/process.js'
import type { PythonInstall } from '../python/probe.js'
import { redactUrlCredentials } from '../report/secrets.js'
import { group, notify } from '../report/log.js'

/** One way to start pip against one target environment. */
export interface Pip {
  command: string
  /** Arguments before pip's own command (`-m pip`, `--python ...`). */
  prefix: string[]
  /** The pip version that will run, when known (`--report` needs 22.2). */
  version: string
  label: string
}

export interface PipResult {
  exitCode: number
  /** stdout and stderr, for the guard and the annotations to read. */
  output: string
  /** The command line as shown in the log, secrets masked. */
  display: string
  /** Stopped by its signal before it ended: what it did is not to be judged. */
  stopped?: boolean
}

/**
 * Settings for the action's own pip runs, on top of the user's configuration: no version check
 * (a network round trip for a warning), no prompts (a hung job), and never a user install.
 * `PIP_USER=0` makes a user install impossible, so a site-packages pip cannot write fails loudly
 * instead of landing in ~/.local. PIP_NO_USER is removed, not set: pip takes its value as the value
 * of --user, so PIP_NO_USER=1 means a user install, and it could come after PIP_USER.
 */
export const OWN_PIP_ENV: Record<string, string | undefined> = {
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
  PIP_NO_INPUT: '1',
  PIP_USER: '0',
  PIP_NO_USER: undefined,
  // Exported by an earlier venv-guard step; the action's own runs choose their target themselves.
  PIP_REQUIRE_VIRTUALENV: undefined
}

export function versionAtLeast(version: string, minimum: string): boolean {
  const parts = (text: string) => text.split('.').map(n => parseInt(n, 10) || 0)
  return compareParts(parts(version), parts(minimum)) >= 0
}

/** Wheels of pip (and setuptools) shipped with the interpreter, as ensurepip would install them. */
export function bundledWheels(python: PythonInstall): { pip?: string; others: string[] } {
  const dirs = [path.join(python.stdlib, 'ensurepip', '_bundled'), ...systemWheelDirs()]
  for (const dir of dirs) {
    let names: string[]
    try {
      names = fs.readdirSync(dir)
    } catch {
      continue
    }
    const pip = names.find(n => /^pip-.*\.whl$/.test(n))
    if (!pip) continue
    // ensurepip installs setuptools beside pip up to Python 3.11.
    const others =
      python.version.minor < 12 ? names.filter(n => /^setuptools-.*\.whl$/.test(n)) : []
    return { pip: path.join(dir, pip), others: others.map(n => path.join(dir, n)) }
  }
  return { others: [] }
}

/**
 * The fastest correct pip for a venv that has none yet: the base interpreter's own pip (22.3+,
 * already byte-compiled for this Python) run by the venv's interpreter through pip's
 * `__pip-runner__.py`, which is what `pip --python` does minus one pip start-up; otherwise the pip
 * wheel the interpreter ships, run from the zip.
 */
export function pipForNewVenv(python: PythonInstall, venv: string): Pip {
  if (python.pip && versionAtLeast(python.pip.version, '22.3')) {
    const runner = path.join(python.pip.location, '__pip-runner__.py')
    const viaRunner = fs.existsSync(runner)
    return {
      command: viaRunner ? venvPython(venv) : python.executable,
      prefix: viaRunner ? [runner] : [...moduleArgs(python, 'pip'), '--python', venvPython(venv)],
      version: python.pip.version,
      label: `pip ${python.pip.version} of ${python.executable}`
    }
  }
  const wheel = bundledWheels(python).pip
  if (!wheel) {
    throw new ActionError(
      `${python.executable} has no pip 22.3 or newer and ships no pip wheel, so the venv cannot get pip. Install pip for it (on Debian/Ubuntu: apt-get install python3-pip or python3-venv), or use another interpreter.`
    )
  }
  const version = /pip-([^-]+)-/.exec(path.basename(wheel))?.[1] ?? ''
  return {
    command: venvPython(venv),
    prefix: [path.join(wheel, 'pip')],
    version,
    label: `pip ${version} from ${wheel}`
  }
}

/** pip as `python -m pip` of an interpreter of `python`'s version (the base or its venv's). */
export function pipOf(
  pythonExecutable: string,
  version: string,
  python: { version: { minor: number } }
): Pip {
  return {
    command: pythonExecutable,
    prefix: moduleArgs(python, 'pip'),
    version,
    label: `pip ${version} of ${pythonExecutable}`
  }
}

/** pip's options that choose where it installs: `--target`, `--prefix`, `--root`. */
const PLACEMENT_OPTIONS = new Set(['target', 'prefix', 'root'])

/** The variables in `env` that set them (pip lower-cases the name after `PIP_`), sorted. */
export function placementVariables(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter(name => name.startsWith('PIP_') && PLACEMENT_OPTIONS.has(name.slice(4).toLowerCase()))
    .sort()
}

/**
 * PIP_TARGET, PIP_PREFIX or PIP_ROOT send pip's installs outside the venv (and then its own
 * upgraded pip is not in the venv either): venv-guard's pip runs into a venv drop them, which
 * `runPip` does. Into the interpreter itself, no choice is safe: the step stops before pip runs.
 */
export function checkPlacementVariables(config: { createVenv: boolean; venvPath: string }): void {
  const names = placementVariables(process.env)
  if (names.length === 0) return
  const list = names.join(', ')
  if (!config.createVenv) {
    throw new ActionError(
      `${list} set in the environment would make pip install outside the interpreter's site-packages, so venv-guard stopped before running pip. Unset ${list} for this step, or use create-venv: true (the default), where venv-guard ignores them.`,
      { title: 'venv-guard: pip would install elsewhere' }
    )
  }
  notify(
    `${list} ignored for venv-guard's pip runs: they would send packages outside the venv ${config.venvPath}. Later steps still see them.`
  )
}

/** Runs pip in a collapsible log group, streaming its output, and returns what it printed. */
export function runPip(
  pip: Pip,
  args: string[],
  title: string,
  cwd: string,
  env: Record<string, string | undefined> = OWN_PIP_ENV,
  signal?: AbortSignal
): Promise<PipResult> {
  return group(title, () => startPip(pip, args, cwd, env, true, signal))
}

/** Runs pip without a word in the log (another pip run streams meanwhile): see showOutput. */
export function runPipQuietly(
  pip: Pip,
  args: string[],
  cwd: string,
  env: Record<string, string | undefined>
): Promise<PipResult> {
  return startPip(pip, args, cwd, env, false)
}

async function startPip(
  pip: Pip,
  args: string[],
  cwd: string,
  env: Record<string, string | undefined>,
  stream: boolean,
  signal?: AbortSignal
): Promise<PipResult> {
  const display = redactUrlCredentials([pip.command, ...pip.prefix, ...args].join(' '))
  const cleared = Object.fromEntries(placementVariables(process.env).map(n => [n, undefined]))
  const result = await run(pip.command, [...pip.prefix, ...args], {
    cwd,
    env: { ...cleared, ...env },
    stream,
    display,
    signal
  })
  return {
    exitCode: result.exitCode,
    output: `${result.stdout}\n${result.stderr}`,
    display,
    stopped: result.stopped
  }
}

/**
 * `pip check` with the interpreter's own pip: whether it exited 0, and what it printed when it did
 * not (it can fail without a word: a requirement it cannot parse, an interpreter that stops).
 */
export async function pipCheck(
  python: string,
  version: { version: { minor: number } }
): Promise<{ passed: boolean; output: string }> {
  const result = await run(python, [...moduleArgs(version, 'pip'), 'check'], { env: OWN_PIP_ENV })
  return { passed: result.exitCode === 0, output: result.exitCode === 0 ? '' : result.stdout }
}
