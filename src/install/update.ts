import * as fs from 'node:fs'
import * as path from 'node:path'
import { venvBinDir } from '../platform/os.js'
import { allDone } from '../platform/process.js'
import { distInfoName, findDistInfo, recordPaths } from '../pip/dist-info.js'
import { normalizeName } from '../pip/names.js'
import { byName, type RequirementEntry } from '../pip/requirement-line.js'
import { recordedSources } from './compile.js'
import { type PipRunPlan } from '../pip/plan.js'
import { heldFromReport, heldKey, sameDists } from '../pip/report.js'
import { runPip, versionAtLeast, type Pip } from '../pip/run.js'
import { ActionError } from '../report/diagnostic.js'
import { info, showOutput } from '../report/log.js'
import type { InstalledPackage } from '../report/run-report.js'
import type { HeldDist, VenvContent } from '../venv/marker.js'
import {
  dryRun,
  installSettings,
  keepLatest,
  passed,
  runPlan,
  targetPip,
  type DryRun,
  type PlanOutcome,
  type InstallJob,
  type RunsPlan,
  type RunsResult
} from './pip-runs.js'

/** What site-packages holds at its top; nothing where it is gone. */
function listingOf(sitePackages: string): string[] {
  try {
    return fs.readdirSync(sitePackages)
  } catch {
    return []
  }
}

/** Each distribution a site-packages directory has a dist-info for, as `name version`. */
function presentDists(sitePackages: string): string[] {
  return listingOf(sitePackages)
    .map(distInfoName)
    .filter(d => d !== undefined)
    .map(d => `${d.name} ${d.version}`)
    .sort()
}

const nameVersion = (d: HeldDist): string => `${normalizeName(d.name)} ${d.version}`

/** Whether the dist-infos present (presentDists) are those of `dists`, no more, no fewer. */
const holdsExactly = (present: string[], dists: HeldDist[]): boolean =>
  JSON.stringify(present) === JSON.stringify(dists.map(nameVersion).sort())

/** The .py files a distribution's RECORD puts in site-packages: what compiling it means. */
function sourcesOf(sitePackages: string, dist: HeldDist, listing: string[]): string[] {
  const distInfo = findDistInfo(sitePackages, dist, listing)
  return distInfo ? recordedSources(sitePackages, distInfo) : []
}

/** Each distribution's RECORD, as absolute paths, from one listing of site-packages. */
function recordedFiles(sitePackages: string, dists: HeldDist[]): string[][] {
  const listing = listingOf(sitePackages)
  return dists.map(dist => {
    const distInfo = findDistInfo(sitePackages, dist, listing)
    const paths = distInfo ? recordPaths(sitePackages, distInfo) : undefined
    return (paths ?? []).map(rel => path.resolve(sitePackages, rel))
  })
}

/** The headers' directory a new venv has (`include`, `Include` on Windows). */
const VENV_HEADERS = ['include', 'Include']

/** A file that a distribution to remove shares with one that stays: uninstalling would break it. */
export function sharedFile(removed: string[][], kept: string[][]): string | undefined {
  const staying = new Set(kept.flat())
  return removed.flat().find(file => staying.has(file))
}

/**
 * After pip uninstall: the directories it left empty (a namespace package's, a data directory's),
 * which a new venv does not have. Never those a new venv has: its scripts' and headers'
 * directories, site-packages and what holds it.
 */
export function pruneEmptyDirs(venv: string, sitePackages: string, files: string[]): void {
  const kept = new Set<string>([
    venv,
    sitePackages,
    venvBinDir(venv),
    ...VENV_HEADERS.map(d => path.join(venv, d))
  ])
  for (let dir = sitePackages; dir.startsWith(venv + path.sep); dir = path.dirname(dir))
    kept.add(dir)
  const dirs = new Set<string>()
  for (const file of files) {
    for (let dir = path.dirname(file); dir.startsWith(venv + path.sep); dir = path.dirname(dir)) {
      if (kept.has(dir)) break
      dirs.add(dir)
    }
  }
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir)
    } catch {
      // gone, or not a directory: nothing of ours to prune
    }
  }
}

/** What an update would change: the distributions to remove and those to install. */
export interface UpdateChange {
  remove: HeldDist[]
  add: HeldDist[]
}

/** The change from what the venv holds to what a new venv would get (same name, version, file, request). */
export function changeTo(held: HeldDist[], wanted: HeldDist[]): UpdateChange {
  const heldKeys = new Set(held.map(heldKey))
  const wantedKeys = new Set(wanted.map(heldKey))
  return {
    remove: held.filter(d => !wantedKeys.has(heldKey(d))),
    add: wanted.filter(d => !heldKeys.has(heldKey(d)))
  }
}

const sameFile = (a: HeldDist, b: HeldDist): boolean =>
  normalizeName(a.name) === normalizeName(b.name) &&
  a.version === b.version &&
  a.sha256 === b.sha256

/**
 * What the requirements' run installs into a new venv, from what pip says they need into nothing:
 * all but what the tools' run installed already, the very same file (`packaging`, which wheel
 * needs and black needs too, is found installed and left as it is). Undefined when a requirement
 * needs a tool in another file: whether the requirements' run keeps or replaces it, only running
 * it tells.
 */
export function beyondTools(tools: HeldDist[], wanted: HeldDist[]): HeldDist[] | undefined {
  const toolNames = new Set(tools.map(d => normalizeName(d.name)))
  const rest = wanted.filter(d => !toolNames.has(normalizeName(d.name)))
  const needed = wanted.filter(d => toolNames.has(normalizeName(d.name)))
  return needed.every(d => tools.some(t => sameFile(t, d))) ? rest : undefined
}

/**
 * Why a venv cannot be brought to a new venv's content by what it holds and how pip was set up,
 * before pip is asked anything; undefined when it may be.
 */
export function whyNotStart(
  held: VenvContent,
  settings: string,
  present: string[],
  entries: RequirementEntry[]
): string | undefined {
  if (!entries.every(byName))
    return 'a requirement is an editable, a URL, an archive or a path, which pip installs as no file from an index'
  if (held.settings !== settings)
    return "pip's settings changed (pip-args, upgrade, PIP_* variables, pip's configuration, compiling), and what it kept was installed under the old ones"
  if (!holdsExactly(present, [...held.tools, ...held.dists]))
    return 'it holds other distributions than its marker lists (a later step installed or removed one)'
  return undefined
}

/**
 * Why a venv cannot be brought to the new venv's content exactly, from the tools it holds and what
 * pip says a new venv would get; undefined when it can.
 */
export function whyNotUpdate(
  held: HeldDist[],
  tools: HeldDist[] | undefined,
  wanted: HeldDist[] | undefined
): string | undefined {
  if (!tools || !sameDists(tools, held))
    return 'the upgrade would now install other tools than it holds'
  if (!wanted)
    return 'pip did not name every requirement as one file from an index (a failure, a path, a URL or a VCS checkout)'
  if (!beyondTools(held, wanted))
    return 'a requirement needs another version of a tool the upgrade installs'
  return undefined
}

/** What the venv holds after a requirements run installed `installed`: what it replaced is gone. */
function afterRun(held: HeldDist[], installed: HeldDist[]): HeldDist[] {
  const names = new Set(installed.map(d => normalizeName(d.name)))
  return [...held.filter(d => !names.has(normalizeName(d.name))), ...installed]
}

/** A requirements run's outcome in an update: what it installed, for the venv and for the report. */
interface UpdateRun {
  installed: HeldDist[]
  found: InstalledPackage[]
}

/**
 * What the requirements run started beside pip's answers installed, by its report; a reason it is
 * not known exactly instead (it failed, installed what has no wheel hash, or replaced a tool).
 */
function firstRun(tools: HeldDist[], ran: PlanOutcome | undefined): UpdateRun | string {
  if (!ran) return { installed: [], found: [] }
  if (ran.failed || ran.stopped) return 'the requirements run failed'
  const installed = ran.reportJson ? heldFromReport(ran.reportJson) : undefined
  if (!installed) return 'the requirements run installed what is no file from an index'
  const toolNames = new Set(tools.map(d => normalizeName(d.name)))
  if (installed.some(d => toolNames.has(normalizeName(d.name))))
    return 'the requirements run replaced a tool the upgrade installs'
  return { installed, found: ran.found }
}

const describe = (list: HeldDist[]): string =>
  list.length === 0 ? 'nothing' : list.map(d => `${d.name} ${d.version}`).join(', ')

/**
 * Brings the venv from `holds` (the tools aside) to `wanted`: uninstalls what differs, then runs
 * the requirements again where anything is missing; that run's report must name exactly what was.
 * Undefined where that cannot be exact.
 */
async function mend(
  job: InstallJob,
  planned: RunsPlan,
  pip: Pip,
  tools: HeldDist[],
  holds: HeldDist[],
  wanted: HeldDist[]
): Promise<UpdateRun | undefined> {
  const { target } = job
  const change = changeTo(holds, wanted)
  if (change.remove.length > 0) {
    const staying = [...tools, ...holds].filter(d => !change.remove.includes(d))
    const [removing, kept] = [change.remove, staying].map(list =>
      recordedFiles(target.sitePackages, list)
    )
    const shared = sharedFile(removing, kept)
    if (shared) {
      info(
        `venv: ${shared} belongs to a distribution that goes and one that stays; the venv is made anew.`
      )
      return undefined
    }
    const names = [...new Set(change.remove.map(d => d.name))]
    const removed = await runPip(
      pip,
      ['uninstall', '--yes', ...names],
      'Uninstall what a new venv would not hold',
      job.config.workingDirectory,
      job.guard.pipEnv()
    )
    if (removed.exitCode !== 0)
      throw new ActionError(
        `pip uninstall ${names.join(' ')} failed in ${target.venv?.path}: the venv is left marked incomplete and is made anew by the next run.`
      )
    if (target.venv) pruneEmptyDirs(target.venv.path, target.sitePackages, removing.flat())
  }
  if (change.add.length === 0) return { installed: [], found: [] }
  const ran = passed(job, await runPlan(job, planned, 1, pip))
  const installed = ran.reportJson ? heldFromReport(ran.reportJson) : undefined
  if (!installed || !sameDists(installed, change.add)) {
    info(
      'venv: the requirements run installed other files than pip named beforehand; the venv is made anew.'
    )
    return undefined
  }
  return { installed, found: ran.found }
}

/** The first requirements run of an update: pip's conflict warnings there are of what goes next. */
function withoutConflictWarnings(planned: RunsPlan): RunsPlan {
  const runs = planned.runs.map((run, i) =>
    i === 1 ? { ...run, args: [...run.args, '--no-warn-conflicts'] } : run
  )
  return { ...planned, runs }
}

/**
 * Brings a venv venv-guard made for other inputs to what a new venv would hold for these ones,
 * without building it again. The requirements run starts at once on what the venv holds (pip
 * replaces by itself what the requirements now exclude), beside pip's answers for a new venv
 * (`--dry-run --ignore-installed --report`): what the upgrade and the requirements would install
 * there. Then what the venv holds that these do not name exactly (name, version, file hash, asked
 * for or not) is uninstalled, and what the first run kept where a new venv gets another version is
 * installed by a second run (mend). Undefined, with nothing changed, where the venv or the
 * requirements rule an update out (whyNotStart); undefined after changing it where pip's answers
 * or runs do: the venv is then made anew.
 */
export async function runUpdate(
  job: InstallJob,
  planned: RunsPlan,
  freshUpgrade: PipRunPlan,
  held: VenvContent
): Promise<RunsResult | undefined> {
  const { target, report } = job
  const site = target.sitePackages
  const [upgrade, requirements, ...more] = planned.runs
  const pip = targetPip(job.python, target)
  if (upgrade?.kind !== 'upgrade' || requirements?.kind === 'upgrade' || more.length > 0)
    return undefined
  if (!versionAtLeast(pip.version, '22.2')) return undefined
  const present = presentDists(site)
  const notNow = whyNotStart(held, installSettings(job), present, job.requirements.entries)
  if (notNow) {
    info(`venv: not updated in place: ${notNow}.`)
    return undefined
  }
  // Read before pip replaces any: what it replaces may share a file with what stays.
  const recorded = recordedFiles(site, held.dists)
  info(
    "venv: the requirements run starts on what the venv holds, beside pip's answers for a new venv; what they differ in is mended after."
  )
  // An answer that rules the update out stops the requirements run: the venv is made anew.
  const stop = new AbortController()
  const judged = (answer: DryRun, why: string | undefined): DryRun => {
    if (why) stop.abort()
    return answer
  }
  const [tools, wanted, ran] = await allDone<[DryRun, DryRun, PlanOutcome | undefined]>([
    dryRun(job, pip, freshUpgrade, 0).then(a => judged(a, whyNotUpdate(held.tools, a.dists, []))),
    requirements
      ? dryRun(job, pip, requirements, 2).then(a =>
          judged(a, whyNotUpdate(held.tools, held.tools, a.dists))
        )
      : Promise.resolve({ output: '', dists: [] }),
    requirements
      ? runPlan(job, withoutConflictWarnings(planned), 1, pip, stop.signal)
      : Promise.resolve(undefined)
  ])
  const why = whyNotUpdate(held.tools, tools.dists, wanted.dists)
  if (why) {
    const stopped = ran?.stopped ? ' (the requirements run was stopped)' : ''
    info(`venv: not updated in place: ${why}${stopped}; it is made anew.`)
    return undefined
  }
  await showOutput('What a new venv would get: the tools', tools.output)
  await showOutput('What a new venv would get: the requirements', wanted.output)
  const wantedDists = beyondTools(held.tools, wanted.dists!)!
  const change = changeTo(held.dists, wantedDists)
  info(
    `venv: updating in place to what a new venv would hold: removing ${describe(change.remove)}; installing ${describe(change.add)}; ${held.dists.length - change.remove.length} kept.`
  )
  const first = firstRun(held.tools, ran)
  const holds = typeof first === 'string' ? undefined : afterRun(held.dists, first.installed)
  if (
    typeof first === 'string' ||
    !holds ||
    !holdsExactly(presentDists(site), [...held.tools, ...holds])
  ) {
    const reason =
      typeof first === 'string' ? first : 'it left other distributions than its report names'
    info(`venv: ${reason}; the venv is made anew.`)
    return undefined
  }
  // pip removed what it replaced without asking whether a distribution that stays shares a file.
  const replaced = held.dists.map((d, i) => (holds.includes(d) ? [] : recorded[i]))
  const staying = [
    ...recordedFiles(site, held.tools),
    ...held.dists.map((d, i) => (holds.includes(d) ? recorded[i] : []))
  ]
  const shared = sharedFile(replaced, staying)
  if (shared) {
    info(
      `venv: ${shared} belonged to a distribution pip replaced and belongs to one that stays; the venv is made anew.`
    )
    return undefined
  }
  if (target.venv) pruneEmptyDirs(target.venv.path, site, replaced.flat())
  const second = await mend(job, planned, pip, held.tools, holds, wantedDists)
  if (!second) return undefined
  if (!holdsExactly(presentDists(site), [...held.tools, ...wantedDists])) {
    info(
      'venv: after the update it holds other distributions than a new venv would; it is made anew.'
    )
    return undefined
  }
  // What the first run installed and the second removed is not in the venv: not in the report.
  const holding = new Set(wantedDists.map(nameVersion))
  const installed = [...first.found]
  keepLatest(installed, second.found)
  const kept = (list: InstalledPackage[]) =>
    list.filter(p => holding.has(`${normalizeName(p.name)} ${p.version}`))
  report.installed.splice(0, report.installed.length, ...kept(report.installed))
  const landed = new Set([...first.installed, ...second.installed].map(heldKey))
  const listing = listingOf(site)
  return {
    installed: kept(installed),
    toCompile: wantedDists
      .filter(d => landed.has(heldKey(d)))
      .flatMap(d => sourcesOf(site, d, listing)),
    upgradeDists: held.tools,
    requirementDists: wantedDists
  }
}
