import * as path from 'node:path'
import { normalizeName } from './names.js'
import { type RequirementEntry } from './requirement-line.js'
import { type RequirementProblem } from './requirements.js'
import { nearestLine, parseTomlPath, readTomlFile, type TomlDocument } from './toml-lines.js'

/**
 * PEP 751 lock files, which pip 26.1+ installs with `-r pylock.toml`. pip checks them itself
 * (it says which `packages[N].field` is wrong, or which package it could not install, but gives no
 * line); here the lock's packages become entries with the line of their `name`, so that pip's
 * failures land on the package's entry, and pip's paths are turned into lines.
 */

/** pip's rule (packaging's is_valid_pylock_path): pylock.toml or pylock.NAME.toml. */
export function isPylockFile(file: string): boolean {
  const name = path.basename(file)
  return name === 'pylock.toml' || /^pylock\.[^.]+\.toml$/.test(name)
}

export interface PylockFile {
  file: string
  doc: TomlDocument
  /** One entry per [[packages]], on the line of its `name`. */
  entries: RequirementEntry[]
  /**
   * The local sources its packages name (directories, archives, sdists, wheels by `path`), as
   * pip arguments (`-e DIR` for an editable directory): their content decides the venv too.
   */
  localSources: string[]
  /** Every source its packages name (url or path), for placing pip's failures to get one. */
  sources: LockSource[]
}

/** A wheel, sdist, archive, directory or VCS source of a package, on the line of its url or path. */
export interface LockSource {
  /** The package's normalized name. */
  name: string
  line: number
  /** The URL as written, or the path resolved against the lock's directory. */
  target: string
}

const isTable = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A package's `path` sources, resolved against the lock's directory (PEP 751). */
function localSources(entry: Record<string, unknown>, dir: string): string[] {
  const pathOf = (source: unknown) =>
    isTable(source) && typeof source.path === 'string' ? path.resolve(dir, source.path) : undefined
  const directory = entry.directory
  const found: string[] = []
  const directoryPath = pathOf(directory)
  if (directoryPath) {
    if (isTable(directory) && directory.editable === true) found.push('-e')
    found.push(directoryPath)
  }
  const wheels = Array.isArray(entry.wheels) ? (entry.wheels as unknown[]) : []
  for (const source of [entry.archive, entry.sdist, ...wheels]) {
    const file = pathOf(source)
    if (file) found.push(file)
  }
  return found
}

/** The sources of packages[i] that name a url or path (PEP 751: at most one of each but wheels). */
function sourcesOf(doc: TomlDocument, entry: Record<string, unknown>, i: number, dir: string) {
  if (typeof entry.name !== 'string') return []
  const name = normalizeName(entry.name)
  const wheels = Array.isArray(entry.wheels) ? (entry.wheels as unknown[]) : []
  const places: Array<[Array<string | number>, unknown]> = [
    ...['directory', 'vcs', 'archive', 'sdist'].map((key): [string[], unknown] => [
      [key],
      entry[key]
    ]),
    ...wheels.map((wheel, j): [Array<string | number>, unknown] => [['wheels', j], wheel])
  ]
  return places.flatMap(([at, source]): LockSource[] => {
    if (!isTable(source)) return []
    const key =
      typeof source.url === 'string' ? 'url' : typeof source.path === 'string' ? 'path' : undefined
    if (!key) return []
    const target = key === 'url' ? (source.url as string) : path.resolve(dir, source.path as string)
    return [{ name, line: nearestLine(doc, ['packages', i, ...at, key]) ?? 1, target }]
  })
}

/** The lock file's packages, or its TOML syntax error on its line (pip reads it as UTF-8). */
export function readPylock(file: string, bytes: Buffer): PylockFile | RequirementProblem {
  const doc = readTomlFile(file, bytes)
  if (!('value' in doc)) return doc
  const packages = Array.isArray(doc.value.packages) ? (doc.value.packages as unknown[]) : []
  const entries = packages.flatMap((entry, i): RequirementEntry[] => {
    const { name, version, marker } = (entry ?? {}) as {
      name?: unknown
      version?: unknown
      marker?: unknown
    }
    if (typeof name !== 'string') return []
    return [
      {
        file,
        line: nearestLine(doc, ['packages', i, 'name']) ?? 1,
        kind: 'requirement',
        text: typeof version === 'string' ? `${name}==${version}` : name,
        name: normalizeName(name),
        ...(typeof marker === 'string' ? { marker } : {}),
        constraint: false
      }
    ]
  })
  const dir = path.dirname(file)
  const local = packages.flatMap(entry => (isTable(entry) ? localSources(entry, dir) : []))
  const sources = packages.flatMap((entry, i) =>
    isTable(entry) ? sourcesOf(doc, entry, i, dir) : []
  )
  return { file, doc, entries, localSources: local, sources }
}

export interface PylockFailure {
  file: string
  line: number
  message: string
}

/** Where in a lock file pip's words point: a `packages[N]...` path, a package, or a top-level key. */
function lineFor(lock: PylockFile, reason: string): number {
  const tomlPath = /(?:in|at) '?(packages\[\d+\][\w.[\]-]*)'?/.exec(reason)?.[1]
  if (tomlPath) {
    const at = parseTomlPath(tomlPath)
    // A whole package (`at packages[2]`) is shown on its name.
    return nearestLine(lock.doc, at.length === 2 ? [...at, 'name'] : at) ?? 1
  }
  const syntax = /\(at line (\d+), column \d+\)/.exec(reason)
  if (syntax) return Number(syntax[1])
  const key = /in '([\w-]+)'/.exec(reason)?.[1]
  const topLevel: Array<[RegExp, string]> = [
    [/pylock version/, 'lock-version'],
    [/Python version requirement/, 'requires-python'],
    [/environments specified in the lock file/, 'environments']
  ]
  const named = key ?? topLevel.find(([re]) => re.test(reason))?.[1]
  return (named ? lock.doc.lineOf([named]) : undefined) ?? 1
}

/**
 * pip's complaints about lock files (pip 26), each on the lock's line it concerns. Hash and
 * resolver failures name the package and are found by name with the lock's entries.
 */
export function pylockFailures(output: string, locks: PylockFile[], cwd: string): PylockFailure[] {
  const byFile = (named: string) => locks.find(l => l.file === path.resolve(cwd, named))
  return output.split(/\r?\n/).flatMap((text): PylockFailure[] => {
    const whole =
      /^ERROR: (?:Invalid pylock file|Cannot select requirements from pylock file|Error reading pylock file) '(.+?)': (.*)$/.exec(
        text
      )
    if (whole) {
      const lock = byFile(whole[1])
      if (!lock) return []
      const message = `pip cannot use this lock file: ${whole[2]}. Fix it here, or lock again.`
      return [{ file: lock.file, line: lineFor(lock, whole[2]), message }]
    }
    const locked = /^ERROR: Could not install locked package '(.+?)' from '(.+?)': (.*)$/.exec(text)
    if (locked) {
      const lock = byFile(locked[2])
      const entry = lock?.entries.find(e => e.name === normalizeName(locked[1]))
      if (!lock || !entry) return []
      const message = `pip could not install the locked package ${locked[1]}: ${locked[3]}. Fix the entry, or lock again.`
      return [{ file: lock.file, line: entry.line, message }]
    }
    const other =
      /^ERROR: The requirement (\S+?)==(\S+) is not compatible with version (\S+) specified in a provided lock file$/.exec(
        text
      )
    if (other) {
      const name = normalizeName(other[1])
      const entry = locks.flatMap(l => l.entries).find(e => e.name === name)
      if (!entry) return []
      const message = `The lock pins ${other[1]} ${other[2]}, but the file it names for it is version ${other[3]}. Lock again, or fix the entry's file name or URL.`
      return [{ file: entry.file, line: entry.line, message }]
    }
    return []
  })
}
