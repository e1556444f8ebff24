import * as path from 'node:path'
import { annotate } from '../annotations/emit.js'
import { findingsFromPipCheck } from '../annotations/findings.js'
import type { RequirementsContext } from '../annotations/locator.js'
import { ActionError } from '../report/diagnostic.js'
import { timed, type InstalledPackage } from '../report/run-report.js'
import { scratchDir } from '../platform/process.js'
import { byteCompile, sourcesToCompile } from './compile.js'
import type { PythonInstall } from '../python/probe.js'
import type { Target } from '../venv/target.js'
import { installedVersions, planPipRuns } from '../pip/plan.js'
import { normalizeName } from '../pip/names.js'
import { pipRangeOf, pipTooOld, type InstallingPip } from '../pip/features.js'
import { bundledWheels, pipCheck, pipForNewVenv } from '../pip/run.js'
import { info, warn } from '../report/log.js'
import {
  checkUpgradedPip,
  deferCompile,
  keepLatest,
  passed,
  runPlan,
  targetPip,
  type InstallJob,
  type RunsPlan,
  type RunsResult
} from './pip-runs.js'
import { distsFromReport } from './seed.js'
import { keepSeed, runSeeded, seedPlace } from './seeded.js'

export type { InstallJob, InstallSettings } from './pip-runs.js'

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

function toolNames(result: RunsResult): Set<string> {
  return new Set((result.upgradeDists ?? []).map(d => normalizeName(d.name)))
}

/** Runs pip as planned, each run by the pip the one before left. */
async function runPlans(job: InstallJob, planned: RunsPlan): Promise<RunsResult> {
  const { python, target } = job
  const result: RunsResult = { installed: [] }
  for (const [index, plan] of planned.runs.entries()) {
    const pip =
      plan.pip === 'bootstrap' && planned.bootstrap ? planned.bootstrap : targetPip(python, target)
    const outcome = passed(job, await runPlan(job, planned, index, pip))
    keepLatest(result.installed, outcome.found)
    if (plan.kind === 'upgrade' && outcome.reportJson)
      result.upgradeDists = distsFromReport(outcome.reportJson)
    else if (outcome.found.some(p => toolNames(result).has(normalizeName(p.name))))
      result.upgradeDists = undefined
    if (plan.kind === 'upgrade' && index < planned.runs.length - 1) {
      checkUpgradedPip(job)
      if (deferCompile(job)) await compilePip(job.python, target)
    }
  }
  return result
}

/**
 * The upgraded pip, byte-compiled on every core before it runs the requirements: the upgrade ran
 * with --no-compile, and Python would otherwise compile each module pip imports, one at a time.
 */
async function compilePip(python: PythonInstall, target: Target): Promise<void> {
  const files = sourcesToCompile(path.join(target.sitePackages, 'pip'))
  await byteCompile(target.python, python, files, scratchDir())
}

/** Everything in site-packages not compiled yet (`done`: entries that came compiled). */
async function compile(python: PythonInstall, target: Target, done: string[]): Promise<void> {
  const files = sourcesToCompile(target.sitePackages, done)
  const compiled = await byteCompile(target.python, python, files, scratchDir())
  if (compiled.exitCode !== 0)
    warn(`Byte-compiling ${target.sitePackages} reported errors:\n${compiled.output}`)
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
  const place = seedPlace(job, planned)
  const seeded = place
    ? await timed(report, 'pip install', () => runSeeded(job, planned, place))
    : undefined
  const result = seeded ?? (await timed(report, 'pip install', () => runPlans(job, planned)))
  await timed(report, 'compile and check', async () => {
    await Promise.all([
      deferCompile(job) ? compile(job.python, target, result.compiled ?? []) : undefined,
      checkDependencies(job.python, target, {
        parsed: requirements,
        workspace: config.workspace,
        markers: job.python.markers
      })
    ])
  })
  if (place && !seeded) await keepSeed(job, place, result)
  return result.installed
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
