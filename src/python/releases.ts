import { ActionError, errorMessage } from '../report/diagnostic.js'
import { maskUrlCredentials } from '../report/secrets.js'
import type { Candidate, PythonInstall } from './probe.js'

// What a manifest (python-versions', PyPy's versions.json) offers, in the shape both share; each
// implementation's module (installer.ts, pypy.ts) reads its own manifest into it.

/** A release a manifest offers that satisfies the spec. */
export interface ManifestRelease {
  /** As check-latest's lines name it: `3.12.1`, `pypy3.10.14-7.3.17`. */
  version: string
  /** `Python 3.12.1`, `PyPy 7.3.17 (Python 3.10.14)`. */
  label: string
  newerThan: (local: PythonInstall) => boolean
  /** Downloads it, installs it into the tool cache, and says how to start it. */
  install: (toolCache: string, env: NodeJS.ProcessEnv) => Promise<Candidate>
}

/** What a manifest (python-versions', PyPy's versions.json) has for a spec on this runner. */
export interface ManifestSetup {
  url: string
  /** The newest release that satisfies the spec. */
  match?: ManifestRelease
  /** Why nothing matches: what the manifest offers instead. */
  noMatch: string
}

/** An archive entry, as both manifests write it. */
export interface ManifestFile {
  filename: string
  platform: string
  arch: string
  download_url: string
}

/**
 * A manifest's text as its releases, each checked by `isRelease` (`shape` says what is expected),
 * the passwords and signatures of its links masked before anything could print them.
 */
export function parseReleases<T extends { files: ManifestFile[] }>(
  text: string,
  url: string,
  isRelease: (r: Record<string, unknown>) => boolean,
  shape: string,
  title: { title: string }
): T[] {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    throw new ActionError(`${url} is not JSON (${errorMessage(error)}).`, title)
  }
  const isFile = (f: Partial<ManifestFile> | null) =>
    typeof f?.filename === 'string' &&
    typeof f.platform === 'string' &&
    typeof f.arch === 'string' &&
    typeof f.download_url === 'string'
  const valid = (r: unknown) =>
    typeof r === 'object' &&
    r !== null &&
    Array.isArray((r as T).files) &&
    (r as T).files.every(isFile) &&
    isRelease(r as Record<string, unknown>)
  if (!Array.isArray(doc) || !doc.every(valid)) {
    throw new ActionError(`${url} is not ${shape}.`, title)
  }
  for (const release of doc as T[])
    for (const file of release.files) maskUrlCredentials(file.download_url)
  return doc as T[]
}

/**
 * The error text for a manifest without a match: what it does offer for this runner (`where`),
 * newest first, and the pre-release that allow-prereleases would take.
 */
export function noMatchText(
  specText: string,
  url: string,
  where: string,
  offered: string[],
  preRelease: string | undefined
): string {
  const shown = offered.slice(0, 20)
  const more = offered.length - shown.length
  const offers =
    shown.length === 0
      ? `It offers nothing for ${where}.`
      : `It offers for ${where}: ${shown.join(', ')}${more > 0 ? ` and ${more} older` : ''}.`
  const hint = preRelease
    ? ` ${preRelease} is a pre-release: set allow-prereleases: true to take it.`
    : ''
  return `The manifest ${url} has no release matching "${specText}". ${offers}${hint}`
}
