import * as fs from 'node:fs'
import { scratchDir } from '../platform/process.js'
import * as path from 'node:path'
import { distInfoName } from './dist-info.js'
import { normalizeName, projectOf } from './names.js'

/** What one `pip install` run gets, before the pip command in front of it. */
export interface PipRunPlan {
  /** The recipe's `pip install -U <upgrade>`, or its `pip install -r ...`. */
  kind: 'upgrade' | 'requirements'
  title: string
  args: string[]
  /**
   * Which pip runs it: `bootstrap`, the pip that installs into a venv that has none yet (see
   * pipForNewVenv), or `target`, the target's own pip.
   */
  pip: 'bootstrap' | 'target'
}

export interface InstallRequest {
  /** True for a venv created by this run: nothing is installed in it yet. */
  freshVenv: boolean
  upgrade: string[]
  /** What ensurepip would install (pip, and setuptools before 3.12), for a fresh venv. */
  bundledWheels: string[]
  /** Requirements files and lock files, each given with `-r`. */
  requirementFiles: string[]
  /** `--group` arguments (`test`, `sub/pyproject.toml:docs`). */
  groups: string[]
  /** Constraint files, given with `-c` to the requirements' run only. */
  constraintFiles: string[]
  packages: string[]
  pipArgs: string[]
  /** Byte-compilation is done afterwards, on every core (see install/compile.ts). */
  deferCompile: boolean
}

/**
 * The pip runs that turn the target into what the recipe leaves: `python -m venv` (the bundled
 * pip) and `pip install -U <upgrade>`, which read no requirement file, then `pip install -r ...`
 * by the pip the upgrade left. Two runs, never one: a file's options (`--no-index`, `--index-url`,
 * `-c`, `--pre`) must not steer the upgrade, and only the upgraded pip knows what newer pips
 * accept. `pip-args` go to both, as documented.
 */
export function planPipRuns(request: InstallRequest): PipRunPlan[] {
  const common = [...(request.deferCompile ? ['--no-compile'] : []), ...request.pipArgs]
  const requirements = [
    ...request.requirementFiles.flatMap(file => ['-r', file]),
    ...request.groups.flatMap(group => ['--group', group]),
    ...request.packages
  ]
  const constraints = request.constraintFiles.flatMap(file => ['-c', file])
  // A fresh venv gets what `upgrade` names, and the bundled wheels of the projects it does not name.
  const named = new Set(request.upgrade.map(projectOf))
  const upgrade = request.freshVenv
    ? [...request.upgrade, ...request.bundledWheels.filter(w => !named.has(projectOf(w)))]
    : request.upgrade
  const runs: PipRunPlan[] = []
  if (upgrade.length > 0) {
    runs.push({
      kind: 'upgrade',
      title: `Upgrade ${upgrade.map(u => path.basename(u)).join(' ')}`,
      args: ['install', ...common, ...(request.freshVenv ? upgrade : ['--upgrade', ...upgrade])],
      pip: request.freshVenv ? 'bootstrap' : 'target'
    })
  }
  if (requirements.length > 0) {
    // A fresh venv has a pip of its own once the first run put one there (none without any wheel).
    const pipInstalled = upgrade.some(u => projectOf(u) === 'pip')
    runs.push({
      kind: 'requirements',
      title: 'Install the requirements',
      args: ['install', ...common, ...constraints, ...requirements],
      pip: request.freshVenv && !pipInstalled ? 'bootstrap' : 'target'
    })
  }
  return runs
}

/** Whether the user asked pip not to compile (then neither does the action). */
export function compileDisabled(pipArgs: string[], env: NodeJS.ProcessEnv): boolean {
  const flag = (env.PIP_NO_COMPILE ?? '').toLowerCase()
  return pipArgs.includes('--no-compile') || ['1', 'true', 'yes', 'on'].includes(flag)
}

/** Versions of the named distributions in a site-packages directory, read from dist-info names. */
export function installedVersions(sitePackages: string, names: string[]): Record<string, string> {
  const wanted = new Set(names.map(normalizeName))
  const versions: Record<string, string> = {}
  let entries: string[] = []
  try {
    entries = fs.readdirSync(sitePackages)
  } catch {
    return versions
  }
  for (const entry of entries) {
    const dist = distInfoName(entry)
    if (dist && wanted.has(dist.name)) versions[dist.name] = dist.version
  }
  return versions
}

export function reportPath(index: number): string {
  return path.join(scratchDir(), `venv-guard-report-${process.pid}-${index}.json`)
}
