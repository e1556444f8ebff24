import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The one owner of "what on this machine does a requirement name": a local directory, a local
 * archive, or nothing local (an index name, a remote URL). The parser, the venv's fingerprint
 * and the cache decision all ask here, so they cannot disagree.
 */

/** pip's archive extensions: such a name is a file, whatever else it looks like. */
export const ARCHIVE_NAME =
  /\.(whl|zip|tar|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar\.lz|tlz|tar\.lzma)(\[[^\]]*\])?$/i

const REMOTE_URL = /^[a-z][a-z0-9+.-]*:\/\//i

/**
 * The path a requirement line or `packages` argument names, by path or `file:` URL, as written
 * (relative paths are pip's working directory's); undefined for anything else.
 */
export function localPathOf(text: string): string | undefined {
  const target = text
    .replace(/^(-e|--editable)(\s+|=)/, '')
    .replace(/^[A-Za-z0-9._-]+\s*(\[[^\]]*\])?\s*@\s*/, '')
    .replace(/\s+--?\w.*$/, '')
    .replace(/\s*;.*$/, '')
    .replace(/\[[^\]]*\]$/, '')
    .trim()
  if (/^file:/i.test(target)) {
    try {
      return fileURLToPath(target.replace(/#.*$/, ''))
    } catch {
      return undefined
    }
  }
  return /^(\.|\/|~|[A-Za-z]:[\\/])|[\\/]/.test(target) && !REMOTE_URL.test(target)
    ? target
    : undefined
}

/** A VCS URL not pinned to a full commit: what it installs can change under the same text. */
export function isUnpinnedVcs(text: string): boolean {
  const target = text.includes(' @ ') ? text.slice(text.indexOf(' @ ') + 3).trim() : text
  return /^(git|hg|svn|bzr)\+/i.test(target) && !/@[0-9a-f]{40}(#|$)/i.test(target)
}

export type LocalSource =
  | { kind: 'directory'; path: string }
  | { kind: 'archive'; path: string }
  /** Named by path, but neither (yet): pip decides, and nothing about it can be cached. */
  | { kind: 'missing'; path: string }

/** What is at a path: a directory, a regular file, or neither (absent, a device, a FIFO). */
export type PathKind = 'directory' | 'file' | undefined

export function pathKind(file: string): PathKind {
  try {
    const stat = fs.statSync(file)
    return stat.isDirectory() ? 'directory' : stat.isFile() ? 'file' : undefined
  } catch {
    return undefined
  }
}

/** What a requirement names on this machine, resolved against pip's working directory. */
export function localSourceOf(
  text: string,
  cwd: string,
  kindOf: (file: string) => PathKind = pathKind
): LocalSource | undefined {
  const named = localPathOf(text)
  if (named === undefined) return undefined
  const resolved = path.resolve(cwd, named)
  const kind = kindOf(resolved)
  if (kind === 'directory') return { kind: 'directory', path: resolved }
  if (kind === 'file' && ARCHIVE_NAME.test(resolved)) return { kind: 'archive', path: resolved }
  return { kind: 'missing', path: resolved }
}
