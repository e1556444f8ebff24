import * as fs from 'node:fs'
import * as path from 'node:path'
import { venvBinDir } from '../platform/os.js'
import { distInfoName, findDistInfo, recordPaths } from '../pip/dist-info.js'
import { normalizeName } from '../pip/names.js'
import { exactPin, type RequirementEntry } from '../pip/requirement-line.js'
import { recordedSources } from './compile.js'
import { type PipRunPlan } from '../pip/plan.js'
import { heldFromReport, heldKey, sameDists } from '../pip/report.js'
import { runPip, versionAtLeast } from '../pip/run.js'
import { ActionError } from '../report/diagnostic.js'
import { info, showOutput } from '../report/log.js'
import type { HeldDist, VenvContent } from '../venv/marker.js'
import {
  dryRun,
  installSettings,
  passed,
  runPlan,
  targetPip,
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
 * Why a venv cannot be brought to the new venv's content exactly, from what it holds and what pip
 * says a new venv would get; undefined when it can.
 */
export function whyNotUpdate(
  held: VenvContent,
  settings: string,
  present: string[],
  tools: HeldDist[] | undefined,
  wanted: HeldDist[] | undefined
): string | undefined {
  if (held.settings !== settings)
    return "pip's settings changed (pip-args, upgrade, PIP_* variables, pip's configuration, compiling), and what it kept was installed under the old ones"
  if (!holdsExactly(present, [...held.tools, ...held.dists]))
    return 'it holds other distributions than its marker lists (a later step installed or removed one)'
  if (!tools || !sameDists(tools, held.tools))
    return 'the upgrade would now install other tools than it holds'
  if (!wanted)
    return 'pip did not name every requirement as one file from an index (a failure, a path, a URL or a VCS checkout)'
  if (!beyondTools(held.tools, wanted))
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

const describe = (list: HeldDist[]): string =>
  list.length === 0 ? 'nothing' : list.map(d => `${d.name} ${d.version}`).join(', ')

/**
 * Brings a venv venv-guard made for other inputs to what a new venv would hold for these ones,
 * without building it again: pip says, into a new venv (`--dry-run --ignore-installed --report`),
 * what the upgrade and the requirements would install; the distributions the venv holds that this
 * does not name exactly (name, version, file hash, asked for or not) are uninstalled; the
 * requirements run then installs the rest, and its report must name exactly that rest. Undefined,
 * with nothing changed, where that cannot be exact (whyNotUpdate): the venv is then made anew. A
 * run whose report differs throws nothing: it returns undefined too, after changing the venv,
 * which is then made anew all the same.
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
  const [tools, wanted] = await Promise.all([
    dryRun(job, pip, freshUpgrade, 0),
    requirements ? dryRun(job, pip, requirements, 1) : { output: '', dists: [] }
  ])
  const why = whyNotUpdate(
    held,
    installSettings(job),
    presentDists(target.sitePackages),
    tools.dists,
    wanted.dists
  )
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
  const removing = change.remove.map(d => recordedFiles(target.sitePackages, d))
  const pruneUninstalled = (gone: HeldDist[]): void => {
    const files = gone.flatMap(d => removing[change.remove.indexOf(d)])
    if (target.venv) pruneEmptyDirs(target.venv.path, target.sitePackages, files)
  }
  const staying = [...held.tools, ...held.dists]
    .filter(d => !change.remove.includes(d))
    .map(d => recordedFiles(target.sitePackages, d))
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
    const title = 'Uninstall what the requirements no longer bring'
    const removed = await runPip(
      pip,
      ['uninstall', '--yes', ...names],
      title,
      job.config.workingDirectory,
      job.guard.pipEnv()
    )
    if (removed.exitCode !== 0)
      throw new ActionError(
        `pip uninstall ${names.join(' ')} failed in ${target.venv?.path}: the venv is left marked incomplete and is made anew by the next run.`
      )
    pruneUninstalled(uninstall)
  }
  // What pip was left to replace must be gone: with --ignore-installed pip keeps both versions.
  const exactly = (): boolean => {
    if (holdsExactly(presentDists(target.sitePackages), [...held.tools, ...wantedDists]))
      return true
    info(
      'venv: after the update it holds other distributions than a new venv would; it is made anew.'
    )
    return false
  }
  if (change.add.length === 0) {
    if (!exactly()) return undefined
    return { installed: [], toCompile: [], upgradeDists: held.tools, requirementDists: wantedDists }
  }
  const ran = passed(job, await runPlan(job, planned, 1, pip))
  pruneUninstalled(replaced)
  const installed = ran.reportJson ? heldFromReport(ran.reportJson) : undefined
  if (!installed || !sameDists(installed, change.add)) {
    info(
      'venv: the requirements run installed other files than pip named beforehand; the venv is made anew.'
    )
    return undefined
  }
  if (!exactly()) return undefined
  return {
    installed: ran.found,
    toCompile: change.add.flatMap(d => sourcesOf(target.sitePackages, d)),
    upgradeDists: held.tools,
    requirementDists: wantedDists
  }
}
