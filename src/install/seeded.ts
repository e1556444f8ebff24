import * as path from 'node:path'
import { normalizeName } from '../pip/names.js'
import { heldFromReport, installedFromReport, sameDists } from '../pip/report.js'
import { NO_REQUIREMENTS } from '../pip/requirements.js'
import { versionAtLeast } from '../pip/run.js'
import { venvBinDir } from '../platform/os.js'
import { errorMessage } from '../report/diagnostic.js'
import { info, showOutput } from '../report/log.js'
import type { InstalledPackage } from '../report/run-report.js'
import { recreateVenv } from '../venv/target.js'
import { byName } from '../pip/requirement-line.js'
import {
  checkUpgradedPip,
  compileStream,
  dryRun,
  keepLatest,
  passed,
  runPlan,
  settle,
  targetPip,
  type InstallJob,
  type PlanOutcome,
  type RunsPlan,
  type RunsResult,
  type Settled
} from './pip-runs.js'
import {
  plantSeed,
  readSeed,
  saveSeed,
  seedKey,
  seedStore,
  toolsId,
  type SeedRecord,
  type SeedTarget
} from './seed.js'

/** Where the seed for this job's venv is kept: only a new venv whose first run is the upgrade has one. */
export function seedPlace(job: InstallJob, planned: RunsPlan): string | undefined {
  const { python, target } = job
  const first = planned.runs[0]
  const store = seedStore()
  if (!store || !target.venv?.fresh || first?.kind !== 'upgrade' || first.pip !== 'bootstrap')
    return undefined
  const interpreter = [
    python.executable,
    python.versionText,
    python.implementation,
    String(python.freeThreaded)
  ]
  return path.join(store, seedKey(interpreter, first.args))
}

/**
 * A tool cache without this seed (a new runner's) gets it from the cache, where the cache has one:
 * whether it is used, pip decides (runSeeded) as for any seed.
 */
export async function fetchSeed(job: InstallJob, place: string): Promise<void> {
  if (!readSeed(place)) await job.seeds?.restoreSeed(place, path.basename(place), job.report)
}

function seedTarget({ target }: InstallJob): SeedTarget {
  const venv = target.venv?.path ?? ''
  return { python: target.python, sitePackages: target.sitePackages, bin: venvBinDir(venv) }
}

function tools(record: SeedRecord): string {
  return record.dists.map(d => `${d.name} ${d.version}`).join(', ')
}

/**
 * The pip runs of a new venv started from the seed: its tools are copied in, then the requirements
 * run by the seeded pip starts at once, beside pip's answer to what the upgrade would install into
 * a new venv (`--dry-run --ignore-installed`). That answer decides: the very seed (names, versions,
 * wheel hashes), and the venv is the recipe's; anything else, and once the requirements run is
 * over the venv is made again from nothing and undefined returned, for the runs without a seed.
 */
export async function runSeeded(
  job: InstallJob,
  planned: RunsPlan,
  place: string
): Promise<RunsResult | undefined> {
  const record = readSeed(place)
  if (!record) return undefined
  try {
    if (!(await plantSeed(place, record, seedTarget(job)))) return undefined
  } catch (caught) {
    info(`The tool seed ${place} could not be copied (${errorMessage(caught)}): no seed this time.`)
    await recreateVenv(job.python, job.target)
    return undefined
  }
  const pip = targetPip(job.python, job.target)
  if (!versionAtLeast(pip.version, '22.2')) {
    await recreateVenv(job.python, job.target)
    return undefined
  }
  checkUpgradedPip(job)
  info(
    `Copied ${tools(record)} from the tool seed ${place}: pip says beside the requirements run whether the upgrade would install exactly these.`
  )
  const upgrade = planned.runs[0]
  // An answer other than the seed stops the requirements run, the venv is made again; not one
  // that may be building a project in the workspace, which a stop could leave half-copied.
  const stop = new AbortController()
  const stoppable = job.requirements.entries.every(byName)
  const answer = settle(
    dryRun(job, pip, upgrade, 0).then(answered => {
      if (stoppable && (!answered.dists || !sameDists(answered.dists, record.dists))) stop.abort()
      return answered
    })
  )
  const stream = planned.runs.length > 1 ? compileStream(job) : undefined
  const rest =
    planned.runs.length > 1 ? settle(runPlan(job, planned, 1, pip, stop.signal)) : undefined
  // Both end before anything is judged: no pip may go on writing into the venv after this step.
  const [answered, outcome] = [await answer, await rest]
  if ('error' in answered) {
    await stream?.finish()
    throw answered.error
  }
  const { output, json, dists } = answered.value
  await showOutput(`${upgrade.title} (what it would install: the seed?)`, output)
  if (!json || !dists || !sameDists(dists, record.dists)) {
    await stream?.finish()
    info(
      `The upgrade would not install what the tool seed holds (${tools(record)}): the venv is made again, and the upgrade runs.`
    )
    await recreateVenv(job.python, job.target)
    return undefined
  }
  try {
    return { ...seededResult(job, planned, json, record, outcome), streamed: stream }
  } catch (error) {
    await stream?.finish()
    throw error
  }
}

/** The upgrade's packages first, as in the runs without a seed, then the requirements run's. */
function seededResult(
  job: InstallJob,
  planned: RunsPlan,
  json: string,
  record: SeedRecord,
  outcome: Settled<PlanOutcome> | undefined
): RunsResult {
  const upgraded = installedFromReport(
    json,
    NO_REQUIREMENTS,
    job.config.workspace,
    planned.upgraded
  )
  const later = job.report.installed.splice(0)
  keepLatest(job.report.installed, upgraded)
  keepLatest(job.report.installed, later)
  if (outcome && 'error' in outcome) throw outcome.error
  const ran = outcome ? passed(job, outcome.value) : { found: [], reportJson: '{}' }
  const installed: InstalledPackage[] = []
  keepLatest(installed, upgraded)
  keepLatest(installed, ran.found)
  const tools = new Set(record.dists.map(d => normalizeName(d.name)))
  const replaced = ran.found.some(p => tools.has(normalizeName(p.name)))
  if (replaced) return { installed, compiled: [] }
  const requirementDists = ran.reportJson ? heldFromReport(ran.reportJson) : undefined
  return { installed, compiled: record.entries, upgradeDists: record.dists, requirementDists }
}

/** After a run without a seed: its upgraded tools become the seed. Nothing here fails the step. */
export async function keepSeed(job: InstallJob, place: string, result: RunsResult): Promise<void> {
  if (!result.upgradeDists || result.upgradeDists.length === 0) return
  try {
    if (await saveSeed(place, seedTarget(job), result.upgradeDists)) {
      info(`Kept the upgraded tools as the tool seed ${place}, for the next new venv.`)
      job.seeds?.seedKept(toolsId(result.upgradeDists))
    }
  } catch (caught) {
    info(`The tool seed was not kept (${errorMessage(caught)}).`)
  }
}
