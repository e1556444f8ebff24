import * as fs from 'node:fs'
import * as path from 'node:path'
import { annotate, failure } from '../annotations/emit.js'
import { findingsFromPipCheck, findingsFromPipFailure } from '../annotations/findings.js'
import type { RequirementsContext } from '../annotations/locator.js'
import { ActionError } from '../report/diagnostic.js'
import { timed, type InstalledPackage, type RunReport } from '../report/run-report.js'
import type { UserSiteGuard } from '../guard/step.js'
import { run as runProcess } from '../platform/process.js'
import type { PythonInstall } from '../python/probe.js'
import type { Target } from '../venv/target.js'
import {
  compileArgs,
  compileDisabled,
  installedVersions,
  planPipRuns,
  reportPath,
  type PipRunPlan
} from '../pip/plan.js'
import { installedFromReport } from '../pip/report.js'
import { NO_REQUIREMENTS } from '../pip/requirements.js'
import { normalizeName } from '../pip/names.js'
import { pipRangeOf, pipTooOld, upgradedPipTooOld, type InstallingPip } from '../pip/features.js'
import type { Requirements } from '../pip/read.js'
import {
  bundledWheels,
  pipCheck,
  pipForNewVenv,
  pipOf,
  runPip,
  versionAtLeast,
  type Pip
} from '../pip/run.js'
import { info, warn } from '../report/log.js'

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
}

/** The target's own pip, looked up when it is needed: an earlier run may just have installed it. */
function targetPip(python: PythonInstall, target: Target): Pip {
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
interface RunsPlan {
  runs: PipRunPlan[]
  bootstrap?: Pip
  upgraded: string[]
}

function planRuns(job: InstallJob): RunsPlan {
  const { config, python, target } = job
  const fresh = target.venv?.fresh ?? false
  const bootstrap = fresh ? pipForNewVenv(python, target.venv!.path) : undefined
  const wheels = bundledWheels(python)
  const bundled = wheels.pip ? [wheels.pip, ...wheels.others] : []
  const runs = planPipRuns({
    freshVenv: fresh,
    upgrade: config.upgrade,
    bundledWheels: bundled,
    requirementFiles: config.requirementFiles,
    groups: job.requirements.inputs.roles.groups,
    constraintFiles: config.constraintFiles,
    packages: config.packages,
    pipArgs: config.pipArgs,
    deferCompile: deferCompile(job)
  })
  return { runs, bootstrap, upgraded: [...config.upgrade, ...(fresh ? bundled : [])] }
}

/**
 * The pip that will install the requirements, as far as it is known before pip runs: the one
 * `upgrade` brings, else the target's own (in a new venv, the one the interpreter bundles).
 */
function installingPip({ config, python, target }: InstallJob): InstallingPip | undefined {
  const range = config.upgrade.map(pipRangeOf).find(r => r !== undefined)
  if (range !== undefined) return { upgrade: range }
  const bundled = bundledWheels(python).pip
  const own = target.venv?.fresh
    ? ((bundled && pipRangeOf(bundled)?.replace(/^==/, '')) ?? python.pip?.version)
    : (installedVersions(target.sitePackages, ['pip']).pip ?? python.pip?.version)
  const where = target.venv ? "the venv's pip" : `the pip of ${target.python}`
  return own ? { own, where } : undefined
}

/** An old pip fails late and obscurely on what it does not know: one line before it runs. */
function checkPipFeatures(job: InstallJob): void {
  const pip = installingPip(job)
  const tooOld = pip && pipTooOld(job.requirements.features, pip)
  if (tooOld) throw new ActionError(tooOld, { title: 'venv-guard: pip too old' })
}

/** The same check once the upgrade has run: the newest pip for this Python may still be too old. */
function checkUpgradedPip({ python, target, requirements }: InstallJob): void {
  const version = installedVersions(target.sitePackages, ['pip']).pip
  const tooOld = version && upgradedPipTooOld(requirements.features, version, python.versionText)
  if (tooOld) throw new ActionError(tooOld, { title: 'venv-guard: pip too old' })
}

/** Byte-compilation after pip, in parallel, for a venv whose user did not turn compiling off. */
function deferCompile({ config, target }: InstallJob): boolean {
  return target.venv !== undefined && !compileDisabled(config.pipArgs, process.env)
}

/** Runs pip as planned; a failed run ends the step with its findings on the requirement lines. */
async function runPlans(job: InstallJob, planned: RunsPlan): Promise<InstalledPackage[]> {
  const { config, python, target, requirements, guard, report } = job
  const { runs, bootstrap, upgraded } = planned
  const installed: InstalledPackage[] = []
  for (const [index, plan] of runs.entries()) {
    // The upgrade reads no requirement file: none of its packages or failures belong to a line.
    const lines = plan.kind === 'requirements' ? requirements : NO_REQUIREMENTS
    const context = {
      parsed: lines,
      workspace: config.workspace,
      locks: plan.kind === 'requirements' ? requirements.locks : [],
      markers: python.markers
    }
    const pip = plan.pip === 'bootstrap' && bootstrap ? bootstrap : targetPip(python, target)
    info(`Using ${pip.label}`)
    const reportFile = reportPath(index)
    const withReport = versionAtLeast(pip.version, '22.2')
    const args = withReport ? [...plan.args, '--report', reportFile] : plan.args
    const result = await runPip(pip, args, plan.title, config.workingDirectory, guard.pipEnv())
    guard.checkPipRun(result, plan.title)
    if (result.exitCode !== 0) {
      const findings = findingsFromPipFailure(result.output, context, plan.title, result.exitCode)
      throw failure(findings, config.workspace)
    }
    if (withReport && fs.existsSync(reportFile)) {
      const json = fs.readFileSync(reportFile, 'utf8')
      const credit = plan.kind === 'upgrade' ? upgraded : []
      const found = installedFromReport(json, lines, config.workspace, credit)
      // Into the report as each run ends: a later run's failure still shows what was installed.
      keepLatest(report.installed, found)
      keepLatest(installed, found)
      fs.rmSync(reportFile, { force: true })
    }
    if (plan.kind === 'upgrade' && index < runs.length - 1) {
      checkUpgradedPip(job)
      if (deferCompile(job)) await compilePip(job.python, target)
    }
  }
  return installed
}

/** A later run's install of a package replaces an earlier one's: the venv holds the last. */
function keepLatest(list: InstalledPackage[], found: InstalledPackage[]): void {
  const names = new Set(found.map(p => normalizeName(p.name)))
  const kept = list.filter(p => !names.has(normalizeName(p.name)))
  list.splice(0, list.length, ...kept, ...found)
}

/**
 * The upgraded pip, byte-compiled in parallel before it runs the requirements: the upgrade ran
 * with --no-compile, and Python would otherwise compile each module pip imports, one at a time.
 */
async function compilePip(python: PythonInstall, target: Target): Promise<void> {
  const pipDir = path.join(target.sitePackages, 'pip')
  if (fs.existsSync(pipDir)) await runProcess(target.python, compileArgs(python, pipDir))
}

async function compile(python: PythonInstall, target: Target): Promise<void> {
  const compiled = await runProcess(target.python, compileArgs(python, target.sitePackages))
  if (compiled.exitCode !== 0)
    warn(
      `Byte-compiling ${target.sitePackages} reported errors:\n${compiled.stdout}${compiled.stderr}`
    )
}

/**
 * `pip check` with the venv's own pip: broken dependencies become warnings on their lines. Not for
 * a base interpreter, whose unrelated packages (a runner's system Python) are not the user's to fix.
 */
async function checkDependencies(
  python: PythonInstall,
  target: Target,
  requirements: RequirementsContext
): Promise<void> {
  if (!target.venv || !installedVersions(target.sitePackages, ['pip']).pip) return
  const checked = await pipCheck(target.python, python)
  annotate(findingsFromPipCheck(checked, requirements), requirements.workspace)
}

/**
 * The install: the pip runs the recipe would make, then byte-compilation and pip check side by
 * side (both only read what is installed: together they cost the cold path one of them).
 * Returns what pip installed.
 */
export async function install(job: InstallJob): Promise<InstalledPackage[]> {
  const { config, target, requirements, report } = job
  checkPipFeatures(job)
  const planned = planRuns(job)
  const installed = await timed(report, 'pip install', () => runPlans(job, planned))
  await timed(report, 'compile and check', async () => {
    await Promise.all([
      deferCompile(job) ? compile(job.python, target) : undefined,
      checkDependencies(job.python, target, {
        parsed: requirements,
        workspace: config.workspace,
        markers: job.python.markers
      })
    ])
  })
  return installed
}

/** The tools every run reports before and after: the recipe upgrades them. */
export const TRACKED = ['pip', 'setuptools', 'wheel']

/** pip, setuptools and wheel in the target now, logged with a label. */
export function trackedVersions(target: Target, label: string): Record<string, string> {
  const versions = installedVersions(target.sitePackages, TRACKED)
  const text = TRACKED.map(name => `${name} ${versions[name] ?? '(none)'}`).join(', ')
  info(`${label}: ${text}`)
  return versions
}
