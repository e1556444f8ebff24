import * as fs from 'node:fs'
import * as path from 'node:path'
import { ActionError } from '../report/diagnostic.js'
import { info } from '../report/log.js'

/**
 * The file that marks a venv as venv-guard's, and complete only once everything is installed.
 * This module is its only writer.
 */
export const MARKER_FILE = 'venv-guard.json'
const MARKER_FORMAT = 1

/** A distribution as pip's report named it: its file by hash, and whether it was asked for by name. */
export interface HeldDist {
  name: string
  version: string
  sha256: string
  requested: boolean
}

/**
 * What a venv holds, as the reports of the pip runs that made it said: the upgrade's tools, then
 * what the requirements' run installed. Known only when every file had a hash and no later run
 * replaced an earlier one's: then an update can be told exactly what to change (install/update.ts).
 */
export interface VenvContent {
  tools: HeldDist[]
  dists: HeldDist[]
  /**
   * A digest of what decides how pip installs besides the requirements (pip-args, PIP_* settings,
   * pip's configuration, whether the action compiles): kept distributions were installed under it.
   */
  settings: string
}

export interface VenvMarker {
  format: number
  /** True only for venvs this action created: only those may ever be deleted. */
  created: boolean
  /** Written last, after a successful install: a venv without it was interrupted. */
  complete: boolean
  /** The base interpreter's executable. */
  python: string
  /** What was installed (see fingerprint.ts); an equal fingerprint means nothing to do. */
  fingerprint: string
  /** The distributions that passed the cache's pip check before the venv was saved (health.ts). */
  checked?: string
  /** What it holds, where that is known exactly. */
  content?: VenvContent
}

/** Whose venv it is and what it holds: what each marker this run writes says. */
export type VenvOwnership = Pick<VenvMarker, 'created' | 'python' | 'fingerprint'>

export function readMarker(venv: string): VenvMarker | undefined {
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(venv, MARKER_FILE), 'utf8')) as VenvMarker
    if (marker.format !== MARKER_FORMAT) return undefined
    // Its names go to pip's command line: anything but plain names and hashes is not used.
    return validContent(marker.content) ? marker : { ...marker, content: undefined }
  } catch {
    return undefined
  }
}

const HELD_FIELDS: Record<keyof HeldDist, RegExp | 'boolean'> = {
  name: /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/,
  version: /^[A-Za-z0-9][A-Za-z0-9.+!_-]*$/,
  sha256: /^[0-9a-f]{64}$/,
  requested: 'boolean'
}

function validDist(dist: unknown): boolean {
  if (typeof dist !== 'object' || dist === null) return false
  const record = dist as Record<string, unknown>
  return Object.entries(HELD_FIELDS).every(([field, rule]) => {
    const value = record[field]
    return rule === 'boolean'
      ? typeof value === 'boolean'
      : typeof value === 'string' && rule.test(value)
  })
}

function validContent(content: unknown): content is VenvContent | undefined {
  if (content === undefined) return true
  if (typeof content !== 'object' || content === null) return false
  const { tools, dists, settings } = content as Record<string, unknown>
  return (
    typeof settings === 'string' &&
    /^[0-9a-f]{64}$/.test(settings) &&
    [tools, dists].every(list => Array.isArray(list) && list.every(validDist))
  )
}

function writeMarker(venv: string, marker: Omit<VenvMarker, 'format'>): void {
  // In the order the fields are declared, for people reading the file.
  const { created, complete, python, fingerprint, checked, content } = marker
  const file = path.join(venv, MARKER_FILE)
  const temporary = `${file}.${process.pid}.tmp`
  fs.writeFileSync(
    temporary,
    JSON.stringify(
      { format: MARKER_FORMAT, created, complete, python, fingerprint, checked, content },
      null,
      2
    )
  )
  fs.renameSync(temporary, file)
}

/** Before installing: a run interrupted from here on leaves a venv that is recognised as incomplete. */
export function markInstalling(venv: string, owner: VenvOwnership): void {
  writeMarker(venv, { ...owner, complete: false })
}

/** After a successful install: the venv holds what the fingerprint names (and `content`, where known). */
export function markComplete(venv: string, owner: VenvOwnership, content?: VenvContent): void {
  writeMarker(venv, { ...owner, complete: true, content })
}

/** Records the digest of the distributions that passed pip check (see health.ts), keeping the rest. */
export function markChecked(venv: string, checked: string | undefined): void {
  const marker = readMarker(venv)
  if (marker) writeMarker(venv, { ...marker, checked })
}

/** Removes a venv, but only one whose marker says venv-guard created it. */
export function removeOwnVenv(venv: string): void {
  if (readMarker(venv)?.created !== true) {
    throw new ActionError(`Refusing to remove ${venv}: venv-guard did not create it.`)
  }
  // Retried where a process just stopped may still hold a file open (Windows: EBUSY, EPERM).
  fs.rmSync(venv, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
}

/**
 * Beside the venv while a cache restore writes into it: `.NAME.venv-guard-restoring`, holding the
 * identity (device, inode, birth time) of the directory the restore writes into. The restore
 * starts only into an absent or empty directory, so a directory found with a mark that names it
 * came from nothing but a restore that was cut short (a cancelled job on a runner that keeps its
 * workspace), whatever its marker says. A repository can commit a file of that name, but not the
 * identity of a directory that exists only once it is checked out: a mark that does not name the
 * directory is never acted on.
 */
function restoringFile(venv: string): string {
  return path.join(path.dirname(venv), `.${path.basename(venv)}.venv-guard-restoring`)
}

interface RestoringMark {
  dev: number
  ino: number
  birthtimeMs: number
  /** The restore created the directory (else it was there, empty, and only its content is removed). */
  created: boolean
}

function identity(venv: string): Omit<RestoringMark, 'created'> | undefined {
  try {
    const stat = fs.lstatSync(venv)
    return stat.isDirectory()
      ? { dev: stat.dev, ino: stat.ino, birthtimeMs: stat.birthtimeMs }
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Before a restore into `venv` (absent or empty): the directory is made now, and the mark names
 * it. False, and nothing written, where a file of the mark's name is there already (not this
 * action's: discardInterruptedRestore has run), since that file is never overwritten.
 */
export function markRestoring(venv: string): boolean {
  const file = restoringFile(venv)
  if (fs.existsSync(file)) return false
  const created = !fs.existsSync(venv)
  fs.mkdirSync(venv, { recursive: true })
  const mark: RestoringMark = { ...identity(venv)!, created }
  fs.writeFileSync(file, JSON.stringify(mark), { flag: 'wx' })
  return true
}

export function restoreEnded(venv: string): void {
  fs.rmSync(restoringFile(venv), { force: true })
}

function readRestoringMark(file: string): RestoringMark | undefined {
  try {
    const mark = JSON.parse(fs.readFileSync(file, 'utf8')) as RestoringMark
    return typeof mark.dev === 'number' && typeof mark.ino === 'number' ? mark : undefined
  } catch {
    return undefined
  }
}

/** Removes what a restore cut short left in `venv`, and says so; nothing else is ever touched. */
export function discardInterruptedRestore(venv: string): void {
  const file = restoringFile(venv)
  if (!fs.existsSync(file)) return
  const mark = readRestoringMark(file)
  const now = identity(venv)
  const same =
    mark !== undefined &&
    now !== undefined &&
    mark.dev === now.dev &&
    mark.ino === now.ino &&
    mark.birthtimeMs === now.birthtimeMs
  if (!same) {
    if (now !== undefined) {
      info(
        `venv: ${file} does not name the directory ${venv}, so venv-guard did not leave it there; both are left as they are.`
      )
    }
    return
  }
  if (mark.created) fs.rmSync(venv, { recursive: true, force: true })
  else
    for (const entry of fs.readdirSync(venv))
      fs.rmSync(path.join(venv, entry), { recursive: true, force: true })
  restoreEnded(venv)
  info(`venv: removed what an interrupted restore from the cache left in ${venv}.`)
}
