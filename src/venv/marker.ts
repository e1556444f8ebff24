import * as fs from 'node:fs'
import * as path from 'node:path'
import { ActionError } from '../action/errors.js'
import { info } from '../action/log.js'

/**
 * The file that marks a venv as venv-guard's, and complete only once everything is installed.
 * This module is its only writer.
 */
export const MARKER_FILE = 'venv-guard.json'
const MARKER_FORMAT = 1

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
}

/** Whose venv it is and what it holds: what each marker this run writes says. */
export type VenvOwnership = Pick<VenvMarker, 'created' | 'python' | 'fingerprint'>

export function readMarker(venv: string): VenvMarker | undefined {
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(venv, MARKER_FILE), 'utf8')) as VenvMarker
    return marker.format === MARKER_FORMAT ? marker : undefined
  } catch {
    return undefined
  }
}

function writeMarker(venv: string, marker: Omit<VenvMarker, 'format'>): void {
  // In the order the fields are declared, for people reading the file.
  const { created, complete, python, fingerprint, checked } = marker
  const file = path.join(venv, MARKER_FILE)
  const temporary = `${file}.${process.pid}.tmp`
  fs.writeFileSync(
    temporary,
    JSON.stringify(
      { format: MARKER_FORMAT, created, complete, python, fingerprint, checked },
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

/** After a successful install: the venv holds what the fingerprint names. */
export function markComplete(venv: string, owner: VenvOwnership): void {
  writeMarker(venv, { ...owner, complete: true })
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
  fs.rmSync(venv, { recursive: true, force: true })
}

/**
 * Beside the venv while a cache restore writes into it. The restore starts only into an absent or
 * empty directory, so a venv found with this file beside it came from nothing but a restore that
 * was cut short (a cancelled job on a runner that keeps its workspace), whatever its marker says.
 */
function restoringFile(venv: string): string {
  return path.join(path.dirname(venv), `.${path.basename(venv)}.venv-guard-restoring`)
}

export function markRestoring(venv: string): void {
  fs.mkdirSync(path.dirname(venv), { recursive: true })
  fs.writeFileSync(restoringFile(venv), '')
}

export function restoreEnded(venv: string): void {
  fs.rmSync(restoringFile(venv), { force: true })
}

/** Removes a venv whose restore was cut short, and says so. */
export function discardInterruptedRestore(venv: string): void {
  if (!fs.existsSync(restoringFile(venv))) return
  fs.rmSync(venv, { recursive: true, force: true })
  restoreEnded(venv)
  info(`venv: removed ${venv}, left half restored from the cache by an interrupted run.`)
}
