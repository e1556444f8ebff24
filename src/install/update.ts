import * as fs from 'node:fs'
import * as path from 'node:path'
import { venvBinDir } from '../platform/os.js'
import { distInfoName, findDistInfo, recordPaths } from '../pip/dist-info.js'
import { normalizeName } from '../pip/names.js'
import { exactPin, type RequirementEntry } from '../pip/requirement-line.js'
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
  settle,
  targetPip,
  type PlanOutcome,
  type Settled,
  type InstallJob,
  type RunsPlan,
  type RunsResult
} from './pip-runs.js'

/** Each distribution a site-packages directory has a dist-info for, as `name version`. */
function presentDists(sitePackages: string): string[] {
  let entries: string[] = []
  try {
    entries = fs.readdirSync(sitePackages)
  } catch {
    return []
  }
  return entries
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
function sourcesOf(sitePackages: string, dist: HeldDist): string[] {
  const distInfo = findDistInfo(sitePackages, dist)
  return distInfo ? recordedSources(sitePackages, distInfo) : []
}

/** Every file a distribution's RECORD lists, as an absolute path. */
function recordedFiles(sitePackages: string, dist: HeldDist): string[] {
  const distInfo = findDistInfo(sitePackages, dist)
  const paths = distInfo ? recordPaths(sitePackages, distInfo) : undefined
  return (paths ?? []).map(rel => path.resolve(sitePackages, rel))
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
  present: string[]
): string | undefined {
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

/**
 * The distributions to remove that the requirements run replaces by itself: another version of
 * the same project, which a line pins (`name==1.2`), so that the installed one cannot satisfy it.
 * pip uninstalls such a one as it installs the new one; any other it would keep where it still
 * satisfies (`alpha<3` keeps alpha 1.0 where a new venv gets 2.0), so those are uninstalled first.
 */
export function replacedByPins(change: UpdateChange, entries: RequirementEntry[]): HeldDist[] {
  const pins = new Map<string, string>()
  for (const pin of entries.map(exactPin)) if (pin) pins.set(pin.name, pin.version)
  const publicPart = (version: string) => version.split('+')[0]
  return change.remove.filter(old => {
    const name = normalizeName(old.name)
    const pinned = pins.get(name)
    return (
      pinned !== undefined &&
      publicPart(old.version) !== publicPart(pinned) &&
      change.add.some(d => normalizeName(d.name) === name && d.version === pinned)
    )
  })
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
 * What the requirements run started beside pip's answers installed, by its report; undefined where
 * that is not known exactly (it failed, installed what has no wheel hash, or replaced a tool).
 */
function firstRun(tools: HeldDist[], ran: Settled<PlanOutcome> | undefined): UpdateRun | undefined {
  if (!ran) return { installed: [], found: [] }
  if ('error' in ran) throw ran.error
  const { failed, reportJson, found } = ran.value
  const installed = !failed && reportJson ? heldFromReport(reportJson) : undefined
  const toolNames = new Set(tools.map(d => normalizeName(d.name)))
  if (!installed || installed.some(d => toolNames.has(normalizeName(d.name)))) return undefined
  return { installed, found }
}

const describe = (list: HeldDist[]): string =>
  list.length === 0 ? 'nothing' : list.map(d => `${d.name} ${d.version}`).join(', ')

/**
 * Brings the venv from `holds` (the tools aside) to `wanted`: uninstalls what differs, but for what
 * a line pins anew (pip replaces that by itself), then runs the requirements again where anything
 * is missing; that run's report must name exactly what was. Undefined where that cannot be exact.
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
  const filesOf = (d: HeldDist): string[] => recordedFiles(target.sitePackages, d)
  const removing = change.remove.map(filesOf)
  const prune = (gone: HeldDist[]): void => {
    const files = gone.flatMap(d => removing[change.remove.indexOf(d)])
    if (target.venv) pruneEmptyDirs(target.venv.path, target.sitePackages, files)
  }
  const staying = [...tools, ...holds].filter(d => !change.remove.includes(d)).map(filesOf)
  const shared = sharedFile(removing, staying)
  if (shared) {
    info(
      `venv: not updated in place: ${shared} belongs to a distribution that goes and one that stays.`
    )
    return undefined
  }
  // What pip replaces by itself costs no uninstall run; the report check below catches a miss.
  const replaced = replacedByPins(change, job.requirements.entries)
  const uninstall = change.remove.filter(d => !replaced.includes(d))
  if (uninstall.length > 0) {
    const names = [...new Set(uninstall.map(d => d.name))]
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
    prune(uninstall)
  }
  if (change.add.length === 0) return { installed: [], found: [] }
  const ran = passed(job, await runPlan(job, planned, 1, pip))
  prune(replaced)
  const installed = ran.reportJson ? heldFromReport(ran.reportJson) : undefined
  if (!installed || !sameDists(installed, change.add)) {
    info(
      'venv: the requirements run installed other files than pip named beforehand; the venv is made anew.'
    )
    return undefined
  }
  return { installed, found: ran.found }
}

/**
 * Brings a venv venv-guard made for other inputs to what a new venv would hold for these ones,
 * without building it again. The requirements run starts at once on what the venv holds (pip
 * replaces by itself what a line pins anew), beside pip's answers for a new venv (`--dry-run
 * --ignore-installed --report`): what the upgrade and the requirements would install there. Then
 * what the venv holds that these do not name exactly (name, version, file hash, asked for or not)
 * is uninstalled, and what the first run kept where a new venv gets another version is installed
 * by a second run (mend). Undefined, with nothing changed, where the venv itself rules an update
 * out (whyNotStart); undefined after changing it where pip's answers or runs do: the venv is then
 * made anew.
 */
export async function runUpdate(
  job: InstallJob,
  planned: RunsPlan,
  freshUpgrade: PipRunPlan,
  held: VenvContent
): Promise<RunsResult | undefined> {
  const { target } = job
  const [upgrade, requirements, ...more] = planned.runs
  const pip = targetPip(job.python, target)
  if (upgrade?.kind !== 'upgrade' || requirements?.kind === 'upgrade' || more.length > 0)
    return undefined
  if (!versionAtLeast(pip.version, '22.2')) return undefined
  const notNow = whyNotStart(held, installSettings(job), presentDists(target.sitePackages))
  if (notNow) {
    info(`venv: not updated in place: ${notNow}.`)
    return undefined
  }
  // Read before pip replaces any: the directories what it replaces leaves may be empty.
  const recorded = new Map(held.dists.map(d => [d, recordedFiles(target.sitePackages, d)]))
  const [tools, wanted, ran] = await Promise.all([
    dryRun(job, pip, freshUpgrade, 0),
    requirements ? dryRun(job, pip, requirements, 2) : { output: '', dists: [] },
    requirements ? settle(runPlan(job, planned, 1, pip)) : undefined
  ])
  const why = whyNotUpdate(held.tools, tools.dists, wanted.dists)
  if (why) {
    info(`venv: not updated in place: ${why}.`)
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
  const holds = first && afterRun(held.dists, first.installed)
  const present = presentDists(target.sitePackages)
  if (!first || !holds || !holdsExactly(present, [...held.tools, ...holds])) {
    info(
      'venv: the requirements run failed, or left other distributions than its report names; the venv is made anew.'
    )
    return undefined
  }
  const replacedFirst = held.dists.filter(d => !holds.includes(d))
  if (target.venv)
    pruneEmptyDirs(
      target.venv.path,
      target.sitePackages,
      replacedFirst.flatMap(d => recorded.get(d) ?? [])
    )
  const second = await mend(job, planned, pip, held.tools, holds, wantedDists)
  if (!second) return undefined
  if (!holdsExactly(presentDists(target.sitePackages), [...held.tools, ...wantedDists])) {
    info(
      'venv: after the update it holds other distributions than a new venv would; it is made anew.'
    )
    return undefined
  }
  const installed = [...first.found]
  keepLatest(installed, second.found)
  const landed = new Set([...first.installed, ...second.installed].map(heldKey))
  return {
    installed,
    toCompile: wantedDists
      .filter(d => landed.has(heldKey(d)))
      .flatMap(d => sourcesOf(target.sitePackages, d)),
    upgradeDists: held.tools,
    requirementDists: wantedDists
  }
}
