import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PylockFile } from '../pip/pylock.js'
import { projectOf } from '../pip/names.js'
import type { Located } from './finding.js'

/**
 * A lock file's own sources (wheel and sdist URLs or paths, archives, directories, VCS URLs) as
 * pip names them when it cannot get one: by the URL or path, which it writes in other forms
 * (`file:///p/local/` for the directory `local`, `git+file:/p/repo@COMMIT` for a VCS URL), or by
 * the package it was collecting `(from /p/pylock.toml)`.
 */

/** One comparable form: a file URL as its path, no VCS prefix, credentials or trailing slash. */
function sourceKey(text: string): string {
  let key = text.trim().replace(/^(?:git|hg|svn|bzr)\+/i, '')
  if (/^file:/i.test(key)) {
    try {
      key = fileURLToPath(key.replace(/^file:(?!\/\/)/i, 'file://'))
    } catch {
      // Not a URL Node reads (a Windows drive on POSIX): compared as written.
    }
  }
  return key.replace(/\/\/[^/@\s]*@/, '//').replace(/[/\\]+$/, '')
}

/** The forms of pip's word that may be a source: itself, and without `@REVISION` or `#fragment`. */
function candidates(word: string): string[] {
  const key = sourceKey(word)
  const forms = [key, key.split('#')[0]]
  const at = key.lastIndexOf('@')
  if (at > key.lastIndexOf('/')) forms.push(key.slice(0, at))
  return forms
}

interface LockIndex {
  lock: PylockFile
  /** Source key -> line, and package name -> line of its entry: linear however long pip's output. */
  sources: Map<string, number>
  names: Map<string, number>
}

const indexes = new WeakMap<PylockFile, LockIndex>()

function indexOf(lock: PylockFile): LockIndex {
  let index = indexes.get(lock)
  if (!index) {
    const sources = new Map<string, number>()
    for (const s of lock.sources)
      if (!sources.has(sourceKey(s.target))) sources.set(sourceKey(s.target), s.line)
    const names = new Map<string, number>()
    for (const e of lock.entries) if (e.name && !names.has(e.name)) names.set(e.name, e.line)
    indexes.set(lock, (index = { lock, sources, names }))
  }
  return index
}

function sourceLine(index: LockIndex, word: string): number | undefined {
  for (const form of candidates(word)) {
    const line = index.sources.get(form)
    if (line !== undefined) return line
  }
  return undefined
}

/** The lock and line of the source a URL or path that pip names is, in any of the locks. */
export function lockSourceOf(locks: PylockFile[], word: string): Located | undefined {
  for (const lock of locks) {
    const line = sourceLine(indexOf(lock), word)
    if (line !== undefined) return { file: lock.file, line }
  }
  return undefined
}

/**
 * For a line of pip's that says `(from LOCK)`: the source one of its words names, else the
 * package it names (`Collecting delta==1.1.0`, `Processing ./wheels/delta-1.1.0-…whl`), on its line.
 */
export function lockPlaceOf(locks: PylockFile[], text: string): Located | undefined {
  if (locks.length === 0) return undefined
  const from = [...text.matchAll(/\(from ([^()]+)\)/g)].find(m =>
    locks.some(l => l.file === path.resolve(m[1]))
  )
  const lock = from && locks.find(l => l.file === path.resolve(from[1]))
  if (!from || !lock) return undefined
  const index = indexOf(lock)
  const words = text.replace(from[0], '').split(/\s+/)
  for (const word of words) {
    const line = sourceLine(index, word)
    if (line !== undefined) return { file: lock.file, line }
  }
  const what = words.find(w => w !== '' && !/^(?:Collecting|Processing|Obtaining)$/.test(w))
  const line = what ? index.names.get(projectOf(what)) : undefined
  return line === undefined ? undefined : { file: lock.file, line }
}
