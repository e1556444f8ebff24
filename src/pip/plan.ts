import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { versionAtLeast } from './run.js'
import { normalizeName } from './requirements.js'

/** What one `pip install` run gets, before the pip command in front of it. */
export interface PipRunPlan {
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
  requirementFiles: string[]
  packages: string[]
  pipArgs: string[]
  /** One resolver run for the upgrade and the requirements (see resolveTogether). */
  together: boolean
  /** Byte-compilation is done afterwards, in parallel (see compileArgs). */
  deferCompile: boolean
}

/** pip 24.2 is the first measured here that resolves hundreds of requirements from a flat find-links directory without quadratic cost. */
const FAST_RESOLVER_PIP = '24.2'
/** Below this many requirements, pip 23's extra cost is smaller than a second pip start-up (npm run bench). */
const MANY_REQUIREMENTS = 100

/**
 * Whether a fresh venv gets its upgrade and requirements in one pip run. In a fresh venv nothing is
 * installed, so one run gives the recipe's result with one pip start-up less; but hashes would be
 * demanded for the upgrade too, and an old bootstrap pip resolves many requirements far slower than
 * the upgraded one (measured: 200 requirements, pip 23.2.1 9.2 s, pip 24.2 2.6 s).
 */
export function resolveTogether(request: {
  freshVenv: boolean
  usesHashes: boolean
  bootstrapPipVersion: string
  requirementCount: number
}): boolean {
  if (!request.freshVenv || request.usesHashes) return false
  return (
    versionAtLeast(request.bootstrapPipVersion, FAST_RESOLVER_PIP) ||
    request.requirementCount < MANY_REQUIREMENTS
  )
}

function projectOf(requirementOrWheel: string): string {
  const name = path.basename(requirementOrWheel).split('-')[0]
  return normalizeName(/^[A-Za-z0-9._]+/.exec(name)?.[0] ?? name)
}

/**
 * The pip runs that turn the target into what the manual recipe leaves (`python -m venv`, which
 * installs the bundled pip, then `pip install -U <upgrade>`, then `pip install -r ...`).
 */
export function planPipRuns(request: InstallRequest): PipRunPlan[] {
  const common = [...(request.deferCompile ? ['--no-compile'] : []), ...request.pipArgs]
  const requirements = [
    ...request.requirementFiles.flatMap(file => ['-r', file]),
    ...request.packages
  ]
  // A fresh venv gets what `upgrade` names, and the bundled wheels of the projects it does not name.
  const named = new Set(request.upgrade.map(projectOf))
  const upgrade = request.freshVenv
    ? [...request.upgrade, ...request.bundledWheels.filter(w => !named.has(projectOf(w)))]
    : request.upgrade
  const upgradeArgs =
    request.freshVenv || upgrade.length === 0 ? upgrade : ['--upgrade', ...upgrade]
  const first: PipRunPlan['pip'] = request.freshVenv ? 'bootstrap' : 'target'
  if (request.together && requirements.length > 0) {
    const title = 'Install pip, the upgrades and the requirements'
    return [{ title, args: ['install', ...common, ...upgradeArgs, ...requirements], pip: first }]
  }
  const runs: PipRunPlan[] = []
  if (upgradeArgs.length > 0) {
    const title = `Upgrade ${upgrade.map(u => path.basename(u)).join(' ')}`
    runs.push({ title, args: ['install', ...common, ...upgradeArgs], pip: first })
  }
  if (requirements.length > 0) {
    // The venv's own pip once the first run has put one there: it is the one the recipe resolves with.
    const pipInstalled = upgrade.some(u => projectOf(u) === 'pip')
    const pip = request.freshVenv && !pipInstalled ? 'bootstrap' : 'target'
    runs.push({
      title: 'Install the requirements',
      args: ['install', ...common, ...requirements],
      pip
    })
  }
  return runs
}

/** Whether the user asked pip not to compile (then neither does the action). */
export function compileDisabled(pipArgs: string[], env: NodeJS.ProcessEnv): boolean {
  const flag = (env.PIP_NO_COMPILE ?? '').toLowerCase()
  return pipArgs.includes('--no-compile') || ['1', 'true', 'yes', 'on'].includes(flag)
}

/** compileall over site-packages with one worker per core: pip compiles one file at a time. */
export function compileArgs(sitePackages: string): string[] {
  return ['-m', 'compileall', '-q', '-j', '0', sitePackages]
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
    const m = /^(.+?)-([^-]+)\.dist-info$/.exec(entry)
    if (m && wanted.has(normalizeName(m[1]))) versions[normalizeName(m[1])] = m[2]
  }
  return versions
}

export function reportPath(index: number): string {
  return path.join(
    process.env.RUNNER_TEMP || os.tmpdir(),
    `venv-guard-report-${process.pid}-${index}.json`
  )
}
