import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'

/**
 * A venv's content, for the post step to tell whether a later step changed the venv that main
 * made. Compared by content, bytecode included: Python runs a `.pyc` whose header matches its
 * source's time and size without reading the source, so a changed `.pyc` is changed code.
 *
 * Bytecode that a later step adds (pytest writes its rewritten plugins into `__pycache__`) does
 * not count as a change; it travels in the archive, but a restore removes every bytecode file
 * main did not list (dropUnknownBytecode) before anything runs, so it is never run.
 */

const PYCACHE = '__pycache__'
const CHUNK = 1 << 20
/**
 * main's record of the venv's content (content()), kept in the venv so that it travels with the
 * archive: the digest is that record's, and the post step saves only a venv whose record is
 * unchanged and still true. Outside the record itself, which cannot hold its own hash.
 */
const CONTENT_RECORD = 'venv-guard-content.json'
/** Written and removed right after a restore: its change time is the restore's end, by the filesystem's own clock. */
const RESTORE_STAMP = '.venv-guard-restored'

/** One buffer for every read: a new one per file would leave the collector a megabyte a file. */
let chunk: Buffer | undefined

function hashFile(file: string): string {
  const hash = createHash('sha256')
  const fd = fs.openSync(file, 'r')
  try {
    const buffer = (chunk ??= Buffer.allocUnsafe(CHUNK))
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, CHUNK, null)
      if (read === 0) break
      hash.update(buffer.subarray(0, read))
    }
  } finally {
    fs.closeSync(fd)
  }
  return hash.digest('hex')
}

/** Relative paths with `/`, the same on every OS. */
const join = (relative: string, name: string): string => (relative ? `${relative}/${name}` : name)

function sortedEntries(dir: string): fs.Dirent[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** One entry of a venv, as walk() lists it. */
interface Entry {
  relative: string
  entry: fs.Dirent
  /** Whether it is inside a `__pycache__` directory. */
  inPycache: boolean
}

/**
 * Every entry of `dir` in a stable order, parents before children, never following a link; in a
 * venv, its content record aside.
 */
function walk(dir: string, venv = true): Entry[] {
  const entries: Entry[] = []
  const descend = (relative: string, inPycache: boolean): void => {
    for (const entry of sortedEntries(path.join(dir, relative))) {
      const name = join(relative, entry.name)
      if (venv && name === CONTENT_RECORD) continue
      entries.push({ relative: name, entry, inPycache })
      if (entry.isDirectory()) descend(name, inPycache || entry.name === PYCACHE)
    }
  }
  descend('', false)
  return entries
}

const bytecodeIn = (entries: Entry[]): string[] =>
  entries.filter(e => e.inPycache && !e.entry.isDirectory()).map(e => e.relative)

/** One line of the record: a directory, a link and its target, a file, anything else. */
type Recorded =
  | ['d', string]
  | ['l', string, string]
  | ['f', string, { mode: number; size: number; sha256: string }]
  | ['o', string]

/** Files main recorded, and when they were restored: one unchanged since needs no new hash. */
interface Unchanged {
  files: Map<string, { mode: number; size: number; sha256: string }>
  /** The restore stamp's change time (stampRestore): a file's status changed before it is as restored. */
  before: number
}

/**
 * Every name, kind, permission and file content in the venv (a file's content by its sha256),
 * except what is inside `__pycache__` directories and not in `bytecode`, and those directories
 * themselves.
 */
function content(
  venv: string,
  bytecode: ReadonlySet<string>,
  entries: Entry[],
  unchanged?: Unchanged
): Recorded[] {
  const recorded: Recorded[] = []
  for (const { relative, entry, inPycache } of entries) {
    const full = path.join(venv, relative)
    if (entry.isDirectory()) {
      if (entry.name !== PYCACHE && !inPycache) recorded.push(['d', relative])
      continue
    }
    if (inPycache && !bytecode.has(relative)) continue
    if (entry.isSymbolicLink()) {
      recorded.push(['l', relative, fs.readlinkSync(full)])
    } else if (entry.isFile()) {
      const stat = fs.lstatSync(full)
      const mode = stat.mode & 0o777
      const known = unchanged?.files.get(relative)
      const same =
        unchanged !== undefined &&
        known?.mode === mode &&
        known.size === stat.size &&
        stat.ctimeMs < unchanged.before
      const sha256 = same ? known.sha256 : hashFile(full)
      recorded.push(['f', relative, { mode, size: stat.size, sha256 }])
    } else {
      recorded.push(['o', relative])
    }
  }
  return recorded
}

const digestOf = (text: string): string => createHash('sha256').update(text).digest('hex')

/**
 * The digest of everything under `dir`, bytecode included: for a directory that holds no content
 * record (the tool seed), taken when main is done and again in post.
 */
export function treeDigest(dir: string): string {
  const entries = walk(dir, false)
  return digestOf(JSON.stringify(content(dir, new Set(bytecodeIn(entries)), entries)))
}

/** The venv's content record, if it is a file (never a link to one). */
function readRecord(venv: string): string | undefined {
  const file = path.join(venv, CONTENT_RECORD)
  try {
    return fs.lstatSync(file).isFile() ? fs.readFileSync(file, 'utf8') : undefined
  } catch {
    return undefined
  }
}

/** The files a venv's content record lists; none where it is absent or not what main writes. */
function recordedFiles(venv: string): Unchanged['files'] {
  const files: Unchanged['files'] = new Map()
  try {
    const record: unknown = JSON.parse(readRecord(venv) ?? '[]')
    if (!Array.isArray(record)) return files
    for (const line of record as unknown[]) {
      if (!Array.isArray(line) || line[0] !== 'f' || typeof line[1] !== 'string') continue
      const { mode, size, sha256 } = (line[2] ?? {}) as Record<string, unknown>
      if (typeof mode === 'number' && typeof size === 'number' && typeof sha256 === 'string')
        files.set(line[1], { mode, size, sha256 })
    }
  } catch {
    files.clear()
  }
  return files
}

/**
 * Every entry inside the venv's `__pycache__` directories, each directory before what it holds:
 * unsorted, which a restore, that needs no order, does not pay for. From `entries`, where the
 * restore listed them (RestoredEntry), else by a walk.
 */
function inPycaches(venv: string, entries?: readonly string[]): string[] {
  if (entries)
    return entries.filter(name => name.startsWith(`${PYCACHE}/`) || name.includes(`/${PYCACHE}/`))
  const found: string[] = []
  const pending: Array<[string, boolean]> = [['', false]]
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [relative, inPycache] = next
    for (const entry of fs.readdirSync(path.join(venv, relative), { withFileTypes: true })) {
      const name = join(relative, entry.name)
      if (inPycache) found.push(name)
      if (entry.isDirectory()) pending.push([name, inPycache || entry.name === PYCACHE])
    }
  }
  return found
}

/**
 * Removes from a venv restored a moment ago whatever is inside its `__pycache__` directories and
 * not in `bytecode`: bytecode a later step of the saving job wrote. Returns how many entries.
 */
function dropUnknownBytecode(
  venv: string,
  bytecode: ReadonlySet<string>,
  entries?: readonly string[]
): number {
  const unknown = inPycaches(venv, entries).filter(relative => !bytecode.has(relative))
  // Parents come before their children; a removed directory takes its children with it.
  let removed = 0
  for (const relative of unknown) {
    const full = path.join(venv, relative)
    if (!present(full)) continue
    fs.rmSync(full, { recursive: true, force: true })
    removed++
  }
  return removed
}

/** Whether anything is at `file`, a dangling symbolic link too. */
function present(file: string): boolean {
  try {
    fs.lstatSync(file)
    return true
  } catch {
    return false
  }
}

/** main's list of the venv's bytecode, kept in the venv so that it travels with the archive. */
const BYTECODE_LIST = 'venv-guard-bytecode.json'

function readBytecodeList(venv: string): Set<string> {
  const file = path.join(venv, BYTECODE_LIST)
  try {
    if (!fs.lstatSync(file).isFile()) return new Set()
    const list: unknown = JSON.parse(fs.readFileSync(file, 'utf8'))
    return new Set(Array.isArray(list) ? list.filter(item => typeof item === 'string') : [])
  } catch {
    return new Set()
  }
}

/**
 * Called right after a restore, before anything runs in the venv: the change time of a file written
 * now, which every restored file's precedes (the filesystem's clock, at its granularity), or
 * undefined where none can be written.
 */
export function stampRestore(venv: string): number | undefined {
  const stamp = path.join(venv, RESTORE_STAMP)
  try {
    fs.writeFileSync(stamp, '', { flag: 'wx' })
    return fs.lstatSync(stamp).ctimeMs
  } catch {
    return undefined
  } finally {
    fs.rmSync(stamp, { force: true })
  }
}

/** Writes one of main's files in the venv anew: never through a link a restored archive held. */
function writeOwn(file: string, text: string): void {
  fs.rmSync(file, { force: true, recursive: true })
  fs.writeFileSync(file, text, { flag: 'wx' })
}

/**
 * Called when main is done: lists the venv's bytecode in it, records its content, and returns the
 * record's digest. `restored` (stampRestore) is when the venv was restored from an archive whose
 * record lists its files: a file whose status changed before then keeps its recorded hash (a
 * record that lies only makes the post step refuse to save, as it hashes every file).
 */
export function recordVenvContent(venv: string, restored?: number): string {
  const unchanged =
    restored === undefined ? undefined : { files: recordedFiles(venv), before: restored }
  const list = path.join(venv, BYTECODE_LIST)
  // There before the walk; filled before its content is read.
  writeOwn(list, '')
  const entries = walk(venv)
  const bytecode = bytecodeIn(entries)
  writeOwn(list, JSON.stringify(bytecode))
  const text = JSON.stringify(content(venv, new Set(bytecode), entries, unchanged))
  writeOwn(path.join(venv, CONTENT_RECORD), text)
  return digestOf(text)
}

/**
 * The digest as the post step sees it, every file hashed anew: equal to main's when no later step
 * changed the venv, its content record included.
 */
export function currentVenvContent(venv: string): string {
  const text = JSON.stringify(content(venv, readBytecodeList(venv), walk(venv)))
  return readRecord(venv) === text ? digestOf(text) : `not the content record: ${digestOf(text)}`
}

/**
 * Called right after a restore, before anything runs in the venv; `entries`, where the restore
 * listed what it put there (RestoredEntry), spare a walk.
 */
export function dropUnlistedBytecode(venv: string, entries?: readonly string[]): number {
  return dropUnknownBytecode(venv, readBytecodeList(venv), entries)
}
