import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LockSource, PylockFile } from '../pip/pylock.js'
import { projectOf } from '../pip/requirements.js'
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

/** Whether pip's word names this source: the same, or the same with `@REVISION` or `#fragment`. */
function names(word: string, source: LockSource): boolean {
  const key = sourceKey(word)
  const target = sourceKey(source.target)
  return key === target || key.startsWith(`${target}@`) || key.startsWith(`${target}#`)
}

/** The lock and line of the source a URL or path that pip names is, in any of the locks. */
export function lockSourceOf(locks: PylockFile[], word: string): Located | undefined {
  for (const lock of locks) {
    const found = lock.sources.find(source => names(word, source))
    if (found) return { file: lock.file, line: found.line }
  }
  return undefined
}

/**
 * For a line of pip's that says `(from LOCK)`: the source one of its words names, else the
 * package it names (`Collecting delta==1.1.0`, `Processing ./wheels/delta-1.1.0-…whl`), on its line.
 */
export function lockPlaceOf(locks: PylockFile[], text: string): Located | undefined {
  const from = [...text.matchAll(/\(from ([^()]+)\)/g)].find(m =>
    locks.some(l => l.file === path.resolve(m[1]))
  )
  const lock = from && locks.find(l => l.file === path.resolve(from[1]))
  if (!from || !lock) return undefined
  const words = text.replace(from[0], '').split(/\s+/)
  for (const word of words) {
    const source = lock.sources.find(s => names(word, s))
    if (source) return { file: lock.file, line: source.line }
  }
  const what = words.find(w => w !== '' && !/^(?:Collecting|Processing|Obtaining)$/.test(w))
  const entry = what && lock.entries.find(e => e.name === projectOf(what))
  return entry ? { file: lock.file, line: entry.line } : undefined
}
