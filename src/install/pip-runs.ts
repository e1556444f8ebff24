import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import { failure } from '../annotations/emit.js'
import { findingsFromPipFailure } from '../annotations/findings.js'
import type { Finding } from '../annotations/finding.js'
import type { UserSiteGuard } from '../guard/step.js'
import { upgradedPipTooOld } from '../pip/features.js'
import { normalizeName } from '../pip/names.js'
import { compileDisabled, installedVersions, reportPath, type PipRunPlan } from '../pip/plan.js'
import type { Requirements } from '../pip/read.js'
import { heldFromReport, installedFromReport } from '../pip/report.js'
import { NO_REQUIREMENTS } from '../pip/requirements.js'
import { pipOf, runPip, runPipQuietly, versionAtLeast, type Pip } from '../pip/run.js'
import type { PythonInstall } from '../python/probe.js'
import { ActionError } from '../report/diagnostic.js'
import { info } from '../report/log.js'
import type { InstalledPackage, RunReport } from '../report/run-report.js'
import type { HeldDist, VenvContent } from '../venv/marker.js'
import type { Target } from '../venv/target.js'
import { CompileStream } from './compile.js'

/** The inputs an install reads. */
export interface InstallSettings {
  workspace: string
  workingDirectory: string
  requirementFiles: string[]
  constraintFiles: string[]
  packages: string[]
  upgrade: string[]
  pipArgs: string[]
}

/** Everything one install needs: what to install, where, and who watches. */
export interface InstallJob {
  config: InstallSettings
  python: PythonInstall
  target: Target
  requirements: Requirements
  guard: UserSiteGuard
  report: RunReport
  /** Where a tool seed can come from besides the tool cache, and go to: the cache. */
  seeds?: SeedCache
}

/** The cache's side of the tool seed (cache/session.ts). */
export interface SeedCache {
  /** Restores the seed `seed` into `dir`, which holds none; true when one was restored. */
  restoreSeed(dir: string, seed: string, report: RunReport): Promise<boolean>
  /** This run kept a new seed where restoreSeed looked, of the tools `tools` names. */
  seedKept(tools: string): void
}

/** The target's own pip, looked up when it is needed: an earlier run may just have installed it. */
export function targetPip(python: PythonInstall, target: Target): Pip {
  const version =
    installedVersions(target.sitePackages, ['pip']).pip ??
    (target.venv ? undefined : python.pip?.version)
  if (!version) {
    throw new ActionError(
      `${target.python} has no pip. ${target.venv ? 'Remove the venv so that venv-guard creates it afresh' : 'Install pip for this interpreter, or use create-venv: true (the default)'}.`
    )
  }
  return pipOf(target.python, version, python)
}

/** The pip runs for a job, the bootstrap pip of a fresh venv, and what the upgrade installs. */
export interface RunsPlan {
  runs: PipRunPlan[]
  bootstrap?: Pip
  upgraded: string[]
}

/** The same check once the upgrade has run: the newest pip for this Python may still be too old. */
export function checkUpgradedPip({ python, target, requirements }: InstallJob): void {
  const version = installedVersions(target.sitePackages, ['pip']).pip
  const tooOld = version && upgradedPipTooOld(requirements.features, version, python.versionText)
  if (tooOld) throw new ActionError(tooOld, { title: 'venv-guard: pip too old' })
}

/** Byte-compilation after pip, in parallel, for a venv whose user did not turn compiling off. */
export function deferCompile({ config, target }: InstallJob): boolean {
  return target.venv !== undefined && !compileDisabled(config.pipArgs, process.env)
}

/** What the pip runs left to know: what they installed, and what the upgrade brought. */
export interface RunsResult {
  installed: InstalledPackage[]
  /** site-packages entries that came byte-compiled (a seed's) and are still as they came. */
  compiled?: string[]
  /** The only files to compile, where the runs know them (an update's new distributions). */
  toCompile?: string[]
  /** What compiled the requirements run's distributions as they landed; finished by the install. */
  streamed?: CompileStream
  /**
   * The upgrade's distributions with their wheel hashes, when its report gave them all and no later
   * run replaced one: then the venv holds them as the upgrade installed them.
   */
  upgradeDists?: HeldDist[]
  /** The requirements run's, likewise (an empty list when there was none). */
  requirementDists?: HeldDist[]
}

/** A stream that compiles the requirements run's distributions as they land, where the install compiles. */
export function compileStream(job: InstallJob): CompileStream | undefined {
  const { target } = job
  return deferCompile(job) && target.venv
    ? new CompileStream(target.python, job.python, target.sitePackages)
    : undefined
}

/** What the venv holds, where both the upgrade's and the requirements' reports told it exactly. */
export function contentOf(job: InstallJob, result: RunsResult): VenvContent | undefined {
  const { upgradeDists: tools, requirementDists: dists } = result
  return tools && tools.length > 0 && dists
    ? { tools, dists, settings: installSettings(job) }
    : undefined
}

/**
 * What decides how pip installs besides the requirements themselves: pip-args, upgrade, the PIP_*
 * settings and every file the inputs read that the requirements do not (pip's configuration files
 * and what they name, cache-dependency-path), and whether the action compiles.
 */
export function installSettings(job: InstallJob): string {
  const { config, requirements } = job
  const { files, roles, pipSettings } = requirements.inputs
  const named = new Set([...roles.requirements, ...roles.constraints, ...requirements.files])
  const others = Object.entries(files)
    .filter(([file]) => !named.has(file))
    .sort(([a], [b]) => (a < b ? -1 : 1))
  const described = [config.pipArgs, config.upgrade, pipSettings, others, deferCompile(job)]
  return createHash('sha256').update(JSON.stringify(described)).digest('hex')
}

/** What pip says a run would install into a new venv, asked quietly; json is undefined when it failed. */
export interface DryRun {
  output: string
  json?: string
  dists?: HeldDist[]
}

/**
 * `pip install --dry-run --ignore-installed --report` of a planned run's arguments: what that run
 * would install into a venv holding nothing yet, by name, version and file hash.
 */
export async function dryRun(
  job: InstallJob,
  pip: Pip,
  plan: PipRunPlan,
  index: number
): Promise<DryRun> {
  const reportFile = reportPath(index)
  const args = ['install', '--dry-run', '--ignore-installed', '--report', reportFile]
  const answered = await runPipQuietly(
    pip,
    [...args, ...plan.args.slice(1)],
    job.config.workingDirectory,
    job.guard.pipEnv()
  )
  let json: string | undefined
  try {
    json = answered.exitCode === 0 ? fs.readFileSync(reportFile, 'utf8') : undefined
  } catch {
    json = undefined
  } finally {
    fs.rmSync(reportFile, { force: true })
  }
  return { output: answered.output, json, dists: json ? heldFromReport(json) : undefined }
}

/** A promise's outcome, kept to be judged later: a run beside others must end before any is judged. */
export type Settled<T> = { value: T } | { error: unknown }

export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    value => ({ value }),
    (error: unknown) => ({ error })
  )
}

/** One planned pip run's outcome: what its report says it installed, or why it failed. */
export interface PlanOutcome {
  found: InstalledPackage[]
  reportJson?: string
  /** pip failed: what to tell, on the requirement lines (see passed). */
  failed?: Finding[]
  /** Stopped by the caller: nothing to tell, and the target is not what pip would have left. */
  stopped?: true
}

/** A failed run ends the step with its findings on the requirement lines. */
export function passed(job: InstallJob, outcome: PlanOutcome): PlanOutcome {
  if (outcome.failed) throw failure(outcome.failed, job.config.workspace)
  // A stopped run's target is not what pip leaves: whoever stopped it starts over.
  if (outcome.stopped) throw new Error('a stopped pip run was taken for a finished one')
  return outcome
}

/** What a run's failures are blamed on: the upgrade reads no requirement file. */
function contextOf(job: InstallJob, plan: PipRunPlan) {
  const { config, python, requirements } = job
  return {
    parsed: plan.kind === 'requirements' ? requirements : NO_REQUIREMENTS,
    workspace: config.workspace,
    locks: plan.kind === 'requirements' ? requirements.locks : [],
    markers: python.markers
  }
}

/** Runs one planned pip run, by `pip`; nothing is told of a failure yet (see passed). */
export async function runPlan(
  job: InstallJob,
  planned: RunsPlan,
  index: number,
  pip: Pip,
  signal?: AbortSignal
): Promise<PlanOutcome> {
  const { config, guard, report } = job
  const plan = planned.runs[index]
  const context = contextOf(job, plan)
  info(`Using ${pip.label}`)
  const reportFile = reportPath(index)
  const withReport = versionAtLeast(pip.version, '22.2')
  const args = withReport ? [...plan.args, '--report', reportFile] : plan.args
  const result = await runPip(
    pip,
    args,
    plan.title,
    config.workingDirectory,
    guard.pipEnv(),
    signal
  )
  if (result.stopped) {
    fs.rmSync(reportFile, { force: true })
    info(`${plan.title}: stopped, as pip's answer beside it rules its result out.`)
    return { found: [], stopped: true }
  }
  guard.checkPipRun(result, plan.title)
  if (result.exitCode !== 0) {
    return {
      found: [],
      failed: findingsFromPipFailure(result.output, context, plan.title, result.exitCode)
    }
  }
  if (!withReport || !fs.existsSync(reportFile)) return { found: [] }
  const reportJson = fs.readFileSync(reportFile, 'utf8')
  fs.rmSync(reportFile, { force: true })
  const credit = plan.kind === 'upgrade' ? planned.upgraded : []
  const found = installedFromReport(reportJson, context.parsed, config.workspace, credit)
  // Into the report as each run ends: a later run's failure still shows what was installed.
  keepLatest(report.installed, found)
  return { found, reportJson }
}

/** A later run's install of a package replaces an earlier one's: the venv holds the last. */
export function keepLatest(list: InstalledPackage[], found: InstalledPackage[]): void {
  const names = new Set(found.map(p => normalizeName(p.name)))
  const kept = list.filter(p => !names.has(normalizeName(p.name)))
  list.splice(0, list.length, ...kept, ...found)
}
