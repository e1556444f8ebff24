import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { normalizeName } from './requirements.js'

/** What one `pip install` run gets, before the runner-specific pip command in front of it. */
export interface PipRunPlan {
  title: string
  args: string[]
}

export interface InstallRequest {
  /** True for a venv created by this run: nothing is installed, so one resolver run does it all. */
  freshVenv: boolean
  upgrade: string[]
  /** Used instead of `upgrade` in a fresh venv when `upgrade` is empty: what ensurepip would install. */
  bundledWheels: string[]
  requirementFiles: string[]
  packages: string[]
  pipArgs: string[]
  /** Hashes make pip demand them for every requirement of a run, so the upgrade gets its own run. */
  usesHashes: boolean
  /** Byte-compilation is done afterwards, in parallel (see compileArgs). */
  deferCompile: boolean
}

/**
 * The pip runs that turn the target into what the manual recipe
 * (`pip install -U pip setuptools wheel`, then `pip install -r ...`) would leave, in as few
 * resolver runs as is equally correct: in a fresh venv, where nothing is installed yet, upgrading
 * and installing together gives the same result as doing it in two runs.
 */
export function planPipRuns(request: InstallRequest): PipRunPlan[] {
  const common = [...(request.deferCompile ? ['--no-compile'] : []), ...request.pipArgs]
  const requirements = [
    ...request.requirementFiles.flatMap(file => ['-r', file]),
    ...request.packages
  ]
  const upgrade =
    request.freshVenv && request.upgrade.length === 0 ? request.bundledWheels : request.upgrade
  const upgradeArgs = request.freshVenv
    ? upgrade
    : upgrade.length > 0
      ? ['--upgrade', ...upgrade]
      : []
  if (request.freshVenv && !request.usesHashes && requirements.length > 0) {
    return [
      {
        title: 'Install pip, the upgrades and the requirements',
        args: ['install', ...common, ...upgradeArgs, ...requirements]
      }
    ]
  }
  const runs: PipRunPlan[] = []
  if (upgradeArgs.length > 0) {
    runs.push({
      title: `Upgrade ${upgrade.map(u => path.basename(u)).join(' ')}`,
      args: ['install', ...common, ...upgradeArgs]
    })
  }
  if (requirements.length > 0) {
    runs.push({ title: 'Install the requirements', args: ['install', ...common, ...requirements] })
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
