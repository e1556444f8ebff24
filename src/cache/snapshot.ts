import { createHash, type Hash } from 'node:crypto'
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

function hashFile(file: string, into: Hash): void {
  const fd = fs.openSync(file, 'r')
  try {
    const buffer = Buffer.allocUnsafe(CHUNK)
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, CHUNK, null)
      if (read === 0) break
      into.update(buffer.subarray(0, read))
    }
  } finally {
    fs.closeSync(fd)
  }
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

/** Every entry of `venv` in a stable order, parents before children, never following a link. */
function walk(venv: string): Entry[] {
  const entries: Entry[] = []
  const descend = (relative: string, inPycache: boolean): void => {
    for (const entry of sortedEntries(path.join(venv, relative))) {
      const name = join(relative, entry.name)
      entries.push({ relative: name, entry, inPycache })
      if (entry.isDirectory()) descend(name, inPycache || entry.name === PYCACHE)
    }
  }
  descend('', false)
  return entries
}

const bytecodeIn = (entries: Entry[]): string[] =>
  entries.filter(e => e.inPycache && !e.entry.isDirectory()).map(e => e.relative)

/** The files inside the venv's `__pycache__` directories, as relative paths. */
export function listBytecode(venv: string): string[] {
  return bytecodeIn(walk(venv))
}

/**
 * A digest of every name, kind, permission and file content in the venv, except what is inside
 * `__pycache__` directories and not in `bytecode`, and those directories themselves.
 */
export function venvDigest(
  venv: string,
  bytecode: ReadonlySet<string>,
  entries: Entry[] = walk(venv)
): string {
  const hash = createHash('sha256')
  for (const { relative, entry, inPycache } of entries) {
    const full = path.join(venv, relative)
    if (entry.isDirectory()) {
      if (entry.name !== PYCACHE && !inPycache) hash.update(`d\0${relative}\n`)
      continue
    }
    if (inPycache && !bytecode.has(relative)) continue
    if (entry.isSymbolicLink()) {
      hash.update(`l\0${relative}\0${fs.readlinkSync(full)}\n`)
    } else if (entry.isFile()) {
      hash.update(`f\0${relative}\0${(fs.lstatSync(full).mode & 0o777).toString(8)}\0`)
      hashFile(full, hash)
      hash.update('\n')
    } else {
      hash.update(`o\0${relative}\n`)
    }
  }
  return hash.digest('hex')
}

/**
 * Removes from a venv restored a moment ago whatever is inside its `__pycache__` directories and
 * not in `bytecode`: bytecode a later step of the saving job wrote. Returns how many entries.
 */
export function dropUnknownBytecode(venv: string, bytecode: ReadonlySet<string>): number {
  const unknown = walk(venv)
    .filter(e => e.inPycache && !bytecode.has(e.relative))
    .map(e => e.relative)
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

/** Called when main is done: lists the venv's bytecode in it and returns the content's digest. */
export function recordVenvContent(venv: string): string {
  const list = path.join(venv, BYTECODE_LIST)
  // There before the walk, which the digest then reuses; filled before the digest reads it.
  fs.writeFileSync(list, '')
  const entries = walk(venv)
  const bytecode = bytecodeIn(entries)
  fs.writeFileSync(list, JSON.stringify(bytecode))
  return venvDigest(venv, new Set(bytecode), entries)
}

/** The digest as the post step sees it; equal to main's when no later step changed the venv. */
export function currentVenvContent(venv: string): string {
  return venvDigest(venv, readBytecodeList(venv))
}

/** Called right after a restore, before anything runs in the venv. */
export function dropUnlistedBytecode(venv: string): number {
  return dropUnknownBytecode(venv, readBytecodeList(venv))
}
