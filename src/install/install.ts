import * as path from 'node:path'
import { annotate } from '../annotations/emit.js'
import { findingsFromPipCheck } from '../annotations/findings.js'
import type { RequirementsContext } from '../annotations/locator.js'
import { ActionError } from '../report/diagnostic.js'
import { timed, type InstalledPackage } from '../report/run-report.js'
import { scratchDir } from '../platform/process.js'
import { byteCompile, sourcesToCompile } from './compile.js'
import type { PythonInstall } from '../python/probe.js'
import type { VenvContent } from '../venv/marker.js'
import { startOver, type Target } from '../venv/target.js'
import { installedVersions, planPipRuns, type PipRunPlan } from '../pip/plan.js'
import { normalizeName } from '../pip/names.js'
import { pipRangeOf, pipTooOld, type InstallingPip } from '../pip/features.js'
import { heldFromReport } from '../pip/report.js'
import { bundledWheels, pipCheck, pipForNewVenv } from '../pip/run.js'
import { info, warn } from '../report/log.js'
import {
  checkUpgradedPip,
  compileStream,
  contentOf,
  deferCompile,
  keepLatest,
  passed,
  runPlan,
  targetPip,
  type InstallJob,
  type RunsPlan,
  type RunsResult
} from './pip-runs.js'
import { fetchSeed, keepSeed, runSeeded, seedPlace } from './seeded.js'
import { runUpdate } from './update.js'

export type { InstallJob, InstallSettings } from './pip-runs.js'

/** The runs for the job's target; `fresh` plans them as for a new venv at the same place. */
function planRuns(job: InstallJob, fresh = job.target.venv?.fresh ?? false): RunsPlan {
  const { config, python, target } = job
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

function toolNames(result: RunsResult): Set<string> {
  return new Set((result.upgradeDists ?? []).map(d => normalizeName(d.name)))
}

/** Runs pip as planned, each run by the pip the one before left. */
async function runPlans(job: InstallJob, planned: RunsPlan): Promise<RunsResult> {
  const result: RunsResult = { installed: [], requirementDists: [] }
  try {
    await runEach(job, planned, result)
  } catch (error) {
    await result.streamed?.finish()
    throw error
  }
  return result
}

async function runEach(job: InstallJob, planned: RunsPlan, result: RunsResult): Promise<void> {
  const { python, target } = job
  for (const [index, plan] of planned.runs.entries()) {
    const pip =
      plan.pip === 'bootstrap' && planned.bootstrap ? planned.bootstrap : targetPip(python, target)
    if (plan.kind === 'requirements') result.streamed ??= compileStream(job)
    const outcome = passed(job, await runPlan(job, planned, index, pip))
    keepLatest(result.installed, outcome.found)
    const dists = outcome.reportJson ? heldFromReport(outcome.reportJson) : undefined
    if (plan.kind === 'upgrade') result.upgradeDists = dists
    else if (outcome.found.some(p => toolNames(result).has(normalizeName(p.name))))
      result.upgradeDists = undefined
    else result.requirementDists = dists
    if (plan.kind === 'upgrade' && index < planned.runs.length - 1) {
      checkUpgradedPip(job)
      if (deferCompile(job)) await compilePip(job.python, target)
    }
  }
}

/**
 * The upgraded pip, byte-compiled on every core before it runs the requirements: the upgrade ran
 * with --no-compile, and Python would otherwise compile each module pip imports, one at a time.
 */
async function compilePip(python: PythonInstall, target: Target): Promise<void> {
  const files = sourcesToCompile(path.join(target.sitePackages, 'pip'))
  await byteCompile(target.python, python, files, scratchDir())
}

/**
 * What the runs installed and left uncompiled (the files they name, else all but what came
 * compiled), on every core: by the compile stream that started while pip ran, where there is one.
 */
async function compile(python: PythonInstall, target: Target, result: RunsResult): Promise<void> {
  const given = result.streamed?.given ?? new Set<string>()
  const files = (
    result.toCompile ?? sourcesToCompile(target.sitePackages, result.compiled ?? [])
  ).filter(file => !given.has(file))
  const compiled = result.streamed
    ? await result.streamed.finish(files)
    : await byteCompile(target.python, python, files, scratchDir())
  if (compiled.exitCode !== 0)
    warn(`Byte-compiling ${target.sitePackages} reported errors:\n${compiled.output}`)
}

/**
 * `pip check` with the venv's own pip: broken dependencies become warnings on their lines; true
 * when it passed. Not for a base interpreter, whose unrelated packages (a runner's system Python)
 * are not the user's to fix.
 */
async function checkDependencies(
  python: PythonInstall,
  target: Target,
  requirements: RequirementsContext
): Promise<boolean> {
  if (!target.venv || !installedVersions(target.sitePackages, ['pip']).pip) return false
  const checked = await pipCheck(target.python, python)
  annotate(findingsFromPipCheck(checked.output, requirements), requirements.workspace)
  return checked.passed
}

/** What an install leaves: what pip installed, and what the venv holds where that is known exactly. */
export interface InstallOutcome {
  installed: InstalledPackage[]
  content?: VenvContent
  /** pip check passed on the venv as the install left it. */
  pipCheckPassed: boolean
}

/**
 * A venv venv-guard made for other inputs, brought to what a new one would hold (update.ts); else,
 * when that cannot be done exactly, the job for a venv made anew in its place.
 */
async function update(job: InstallJob): Promise<{ job: InstallJob; result?: RunsResult }> {
  const held = job.target.venv?.update
  if (!held) return { job }
  const freshUpgrade: PipRunPlan | undefined = planRuns(job, true).runs[0]
  const result =
    freshUpgrade?.kind === 'upgrade'
      ? await runUpdate(job, planRuns(job), freshUpgrade, held)
      : undefined
  if (result) return { job, result }
  job.report.installed.splice(0)
  const target = await startOver(job.python, job.target, job.report)
  return { job: { ...job, target } }
}

/**
 * The install: the pip runs the recipe would make (or an update of a venv made for other inputs,
 * or a new venv started from the tool seed), then byte-compilation and pip check side by side
 * (both only read what is installed: together they cost the cold path one of them).
 */
export async function install(given: InstallJob): Promise<InstallOutcome> {
  checkPipFeatures(given)
  const updated = given.target.venv?.update
    ? await timed(given.report, 'update venv', () => update(given))
    : { job: given }
  const job = updated.job
  const { config, target, requirements, report } = job
  const planned = planRuns(job)
  const place = updated.result ? undefined : seedPlace(job, planned)
  if (place) await fetchSeed(job, place)
  const seeded = place
    ? await timed(report, 'pip install', () => runSeeded(job, planned, place))
    : undefined
  const result =
    updated.result ?? seeded ?? (await timed(report, 'pip install', () => runPlans(job, planned)))
  const [, pipCheckPassed] = await timed(report, 'compile and check', () =>
    Promise.all([
      deferCompile(job) ? compile(job.python, target, result) : undefined,
      checkDependencies(job.python, target, {
        parsed: requirements,
        workspace: config.workspace,
        markers: job.python.markers
      })
    ])
  )
  if (place && !seeded) await keepSeed(job, place, result)
  return { installed: result.installed, content: contentOf(job, result), pipCheckPassed }
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
