import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { hermeticEnv, newRunner, type Runner } from './action.js'
import { makeWheels, type WheelSpec } from '../../scripts/wheelhouse.mjs'

/**
 * The local mirror of real PyPI files that this machine's pip configuration names (a file: index
 * that carries pip), or undefined when there is none.
 */
export function findMirror(): string | undefined {
  const listed = spawnSync('python3', ['-m', 'pip', 'config', 'list'], { encoding: 'utf8' })
  const urls = (listed.stdout ?? '').match(/file:\/\/\/[^\s'"]+/g) ?? []
  return urls.find(url => fs.existsSync(path.join(fileURLToPath(url), 'pip', 'index.html')))
}

/**
 * What both sides of a comparison see: hermetic pip (no configuration of this machine, own HOME)
 * whose only index is the mirror, named explicitly.
 */
export function mirrorEnv(runner: Runner, mirror: string): Record<string, string | undefined> {
  return {
    ...hermeticEnv(runner),
    PIP_NO_INDEX: undefined,
    PIP_FIND_LINKS: undefined,
    PIP_INDEX_URL: mirror,
    PIP_DISABLE_PIP_VERSION_CHECK: '1'
  }
}

function defined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)
  )
}

export interface ProcessResult {
  exitCode: number
  output: string
}

function run(command: string, args: string[], cwd: string, env: Record<string, string>) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 300_000 })
  return {
    exitCode: result.status ?? -1,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`
  }
}

/**
 * The recipe's first two steps, `python -m venv .venv` and `pip install -U pip setuptools wheel`,
 * once per interpreter: they read nothing of the project, so every scenario starts from a copy.
 */
export function recipeTemplate(python: string, mirror: string): string {
  const runner = newRunner('vg-recipe-')
  const venv = path.join(runner.dir, '.venv')
  const env = defined(mirrorEnv(runner, mirror))
  execFileSync(python, ['-m', 'venv', venv], { env })
  const upgrade = run(
    path.join(venv, 'bin', 'python'),
    ['-m', 'pip', 'install', '-U', 'pip', 'setuptools', 'wheel'],
    runner.dir,
    env
  )
  if (upgrade.exitCode !== 0) throw new Error(`the recipe's upgrade failed:\n${upgrade.output}`)
  return venv
}

/** The recipe's last step in a workspace: `.venv/bin/python -m pip install -r FILE ... [packages]`. */
export function runRecipe(
  runner: Runner,
  template: string,
  mirror: string,
  requirements: string[],
  extra: string[],
  env: Record<string, string> = {}
): ProcessResult {
  const venv = path.join(runner.workspace, '.venv')
  execFileSync('cp', ['-a', template, venv])
  return run(
    path.join(venv, 'bin', 'python'),
    ['-m', 'pip', 'install', ...requirements.flatMap(r => ['-r', r]), ...extra],
    runner.workspace,
    defined({ ...mirrorEnv(runner, mirror), ...env })
  )
}

/** `pip freeze --all` of a venv, by its own pip, with the workspace's path made comparable. */
export function freeze(runner: Runner, venvPython: string): string {
  const result = run(
    venvPython,
    ['-m', 'pip', 'freeze', '--all'],
    runner.workspace,
    hermeticEnv(runner)
  )
  if (result.exitCode !== 0) return `pip freeze failed: ${result.output}`
  return result.output.split(fs.realpathSync(runner.workspace)).join('$WORKSPACE')
}

/** Small wheels and a PEP 503 index of them on disk (file: URL), for options that name an index. */
export interface LocalPackages {
  wheels: string
  index: string
  sha256(file: string): string
}

export function localPackages(specs: WheelSpec[]): LocalPackages {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-packages-'))
  const wheels = path.join(dir, 'wheels')
  makeWheels(wheels, specs)
  const simple = path.join(dir, 'simple')
  const byProject = new Map<string, string[]>()
  for (const file of fs.readdirSync(wheels)) {
    const project = file
      .split('-')[0]
      .toLowerCase()
      .replace(/[-_.]+/g, '-')
    byProject.set(project, [...(byProject.get(project) ?? []), file])
  }
  for (const [project, files] of byProject) {
    fs.mkdirSync(path.join(simple, project), { recursive: true })
    const links = files.map(f => `<a href="../../wheels/${f}">${f}</a>`).join('\n')
    fs.writeFileSync(
      path.join(simple, project, 'index.html'),
      `<html><body>\n${links}\n</body></html>\n`
    )
  }
  return {
    wheels,
    index: `file://${simple}`,
    sha256: file =>
      createHash('sha256')
        .update(fs.readFileSync(path.join(wheels, file)))
        .digest('hex')
  }
}

/** venv-guard's own files in a venv: the marker and the bytecode list of the cache's content check. */
const OWN_FILES = new Set([
  'venv-guard.json',
  'venv-guard-bytecode.json',
  'venv-guard-content.json'
])

/** The venv's files and directories, relative, sorted; a script's own path made comparable. */
export function venvTree(venv: string): string[] {
  const list: string[] = []
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      const relative = path.relative(venv, full)
      if (OWN_FILES.has(relative)) continue
      list.push(entry.isDirectory() ? `${relative}/` : relative)
      if (entry.isDirectory() && !entry.isSymbolicLink()) walk(full)
    }
  }
  walk(venv)
  return list.sort()
}
