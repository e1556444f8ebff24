import * as path from 'node:path'
import type { PylockFile } from '../pip/pylock.js'
import { entriesByName, type ParsedRequirements } from '../pip/requirements.js'
import { type RequirementEntry } from '../pip/requirement-line.js'
import { normalizeName } from '../pip/names.js'
import type { Located } from './finding.js'
import { lockPlaceOf, lockSourceOf } from './lock-sources.js'
import { evaluateMarker, type MarkerEnvironment } from '../pip/marker-eval.js'

// `(from -r FILE (line N))`, also behind the requirements that brought it in (`(from a==1->-r FILE (line N))`).
export const FROM_FILE = /\(from (?:[^()\s]+->)?(?:-r|-c) (.+?) \(line (\d+)\)\)/
/** `(from mypy==2.4.0->pylock.toml)`: a dependency of a requirement that names no line (a lock's entry). */
const FROM_PARENT = /\(from ([^()\s]+?)->[^()]*\)/
const FROM_LINE_OF = /\(from line (\d+) of (.+?)\)/

/** The requirements pip was given, and the workspace that annotation paths are relative to. */
export interface RequirementsContext {
  parsed: ParsedRequirements
  workspace: string
  /** The lock files among the requirements (pip names their packages' paths, not lines). */
  locks?: PylockFile[]
  /** The target interpreter's marker environment (the probe's): which of several lines pip took. */
  markers?: MarkerEnvironment
}

/** The project name a requirement string starts with (`foo[x]>=1` -> `foo`). */
export function nameOf(spec: string): string | undefined {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(spec)
  return m ? normalizeName(m[1]) : undefined
}

/** Looks up the lines behind pip's messages: by `-r file (line N)`, by name, or by text. */
export class Locator {
  private readonly byName: Map<string, RequirementEntry[]>
  // Indexes, so that a file of many lines costs linear time, however much pip says about it.
  private readonly byTextExact = new Map<string, RequirementEntry>()
  private readonly byPlace = new Map<string, RequirementEntry>()

  private readonly parsed: ParsedRequirements
  private readonly workspace: string
  private readonly locks: PylockFile[]
  private readonly markers?: MarkerEnvironment

  constructor(context: RequirementsContext) {
    const { parsed } = context
    this.parsed = parsed
    this.workspace = context.workspace
    this.locks = context.locks ?? []
    // A top-level requirement's marker is evaluated with no extra, as pip does.
    this.markers = context.markers && { ...context.markers, extra: '' }
    this.byName = entriesByName(parsed)
    for (const entry of parsed.entries) {
      if (!this.byTextExact.has(entry.text)) this.byTextExact.set(entry.text, entry)
      const place = `${entry.line}\0${entry.file}`
      if (!this.byPlace.has(place)) this.byPlace.set(place, entry)
    }
  }

  /** `file:line` relative to the workspace, as a reader of the message finds it. */
  label(where: Located): string {
    return `${path.relative(this.workspace, where.file)}:${where.line}`
  }

  relative(file: string): string {
    return path.relative(this.workspace, path.resolve(file))
  }

  /**
   * `(from -r FILE (line N))` or `(from line N of FILE)` anywhere in the text; `(from LOCK)`, the
   * lock's source or package the text names; else, for a dependency, the entry of the requirement
   * that brought it in (`(from mypy==2.4.0->pylock.toml)`).
   */
  fromText(text: string): Located | undefined {
    const r = FROM_FILE.exec(text)
    if (r) return { file: path.resolve(r[1]), line: Number(r[2]) }
    const of = FROM_LINE_OF.exec(text)
    if (of) return { file: path.resolve(of[2]), line: Number(of[1]) }
    const inLock = lockPlaceOf(this.locks, text)
    if (inLock) return inLock
    const parent = FROM_PARENT.exec(text)
    return parent ? this.byRequirement(parent[1]) : undefined
  }

  /**
   * The entry naming a project: requirements before constraints (or the reverse when pip says the
   * constraint), lines whose marker is false for the target interpreter last (pip skipped them),
   * and among several the one whose text starts with pip's requirement string.
   */
  byRequirement(spec: string, constraint = false): Located | undefined {
    const name = nameOf(spec)
    const named = (name && this.byName.get(name)) || []
    const env = this.markers
    const taken = env ? named.filter(e => !e.marker || evaluateMarker(e.marker, env) !== false) : []
    const entries = taken.length > 0 ? taken : named
    const preferred = entries.filter(e => e.constraint === constraint)
    const candidates = preferred.length > 0 ? preferred : entries
    const compact = spec.replace(/\s+/g, '')
    const exact = candidates.find(e => e.text.replace(/\s+/g, '').startsWith(compact))
    return pick(exact ?? candidates[0])
  }

  /** The entry whose logical line is exactly this text (pip quotes option lines so). */
  byLine(text: string): Located | undefined {
    return pick(this.byTextExact.get(text.trim()))
  }

  /** The entry that names this path (`./libs/x`, `./libs/x[dev]`, `-e ./libs/x`). */
  byPath(target: string): Located | undefined {
    const names = (e: RequirementEntry) =>
      e.text.split(/[\s=]+/).some(w => w === target || w.startsWith(`${target}[`))
    return pick(this.parsed.entries.find(names))
  }

  /** The entry whose text names this URL or path (credentials aside: pip hides them), or the lock source that is it. */
  byText(target: string): Located | undefined {
    const bare = (text: string) => text.replace(/\/\/[^/@\s]*@/g, '//')
    const entry = this.parsed.entries.find(e => bare(e.text).includes(bare(target)))
    return pick(entry) ?? lockSourceOf(this.locks, target)
  }

  /** The line's requirement as written, for naming what pip names only by URL or path. */
  textAt(where: Located): string | undefined {
    const entry = this.byPlace.get(`${where.line}\0${where.file}`)
    return entry?.text.split(/\s+--?(?!e\b|editable\b)[a-z]/)[0]
  }

  /** The `-r`/`-c` line that names this file. */
  includeOf(file: string): Located | undefined {
    const target = path.resolve(file)
    return pick(this.parsed.entries.find(e => e.target === target))
  }
}

function pick(entry: RequirementEntry | undefined): Located | undefined {
  return entry ? { file: entry.file, line: entry.line } : undefined
}

/** The lines after a header up to the first blank line. */
export function blockAfter(lines: string[], index: number): string[] {
  const block: string[] = []
  for (const line of lines.slice(index + 1)) {
    if (line.trim() === '') break
    block.push(line)
  }
  return block
}
