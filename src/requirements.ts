import * as fs from 'node:fs'
import * as path from 'node:path'

/**
 * pip's requirements-file format, read the way pip reads it: comments, `\` continuations,
 * `-r`/`-c` includes relative to the including file, option lines, per-requirement options,
 * markers, extras, URLs and `name @ url`. Every entry keeps its file and line so that failures
 * can be annotated where they come from. Pure but for reading the files.
 */

export type EntryKind = 'requirement' | 'editable' | 'include' | 'constraint' | 'option'

export interface RequirementEntry {
  file: string
  /** 1-based number of the entry's first physical line. */
  line: number
  kind: EntryKind
  /** The logical line without its comment. */
  text: string
  /** The normalized project name (PEP 503) when the line names one. */
  name?: string
  /** For includes and constraints: the file named, resolved. */
  target?: string
}

export interface RequirementProblem {
  file: string
  line: number
  message: string
}

export interface ParsedRequirements {
  /** Every file read, the ones given first, then includes in the order met. */
  files: string[]
  entries: RequirementEntry[]
  problems: RequirementProblem[]
  /** `--require-hashes` or any `--hash`: pip then demands hashes for everything in that run. */
  usesHashes: boolean
  /** Index and find-links URLs named in the files (credentials to mask). */
  urls: string[]
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-')
}

interface LogicalLine {
  line: number
  text: string
}

/** Joins `\` continuations and strips comments, keeping the first physical line's number. */
export function logicalLines(content: string): LogicalLine[] {
  const physical = content.split(/\r?\n/)
  const lines: LogicalLine[] = []
  let pending: LogicalLine | undefined
  physical.forEach((raw, index) => {
    const current: LogicalLine = pending
      ? { line: pending.line, text: pending.text + raw }
      : { line: index + 1, text: raw }
    if (current.text.endsWith('\\') && index < physical.length - 1) {
      pending = { line: current.line, text: current.text.slice(0, -1) }
      return
    }
    pending = undefined
    const text = current.text.replace(/(^|\s+)#.*$/, '').trim()
    if (text !== '') lines.push({ line: current.line, text })
  })
  return lines
}

const INCLUDE = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?<=^-[rc]))(\S.*)$/
const EDITABLE = /^(-e|--editable)(?:\s*=\s*|\s+|(?<=^-e))(\S.*)$/
const NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?'
const VERSION_CLAUSE = '(?:===|==|!=|<=|>=|~=|<|>)\\s*[A-Za-z0-9_.*+!-]+'
const NAMED_REQUIREMENT = new RegExp(
  `^(${NAME})\\s*(?:\\[[^\\]]*\\])?\\s*` +
    `(?:@\\s*\\S+\\s*|\\(?\\s*(?:${VERSION_CLAUSE}(?:\\s*,\\s*${VERSION_CLAUSE})*)?\\s*\\)?)?` +
    `\\s*(?:;.*)?$`
)
/** Options a requirement line may carry after the requirement itself. */
const PER_REQUIREMENT_OPTION = /\s+(--hash|--config-settings|--global-option|--install-option)[=\s]/

function looksLikeUrlOrPath(text: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ||
    /^[.~/\\]|^[A-Za-z]:\\/.test(text) ||
    /\.(whl|zip|tar\.gz|tgz|tar\.bz2)$/i.test(text) ||
    text.includes('/')
  )
}

function nameFromUrl(text: string): string | undefined {
  const egg = /[#&]egg=([A-Za-z0-9._-]+)/.exec(text)
  if (egg) return normalizeName(egg[1])
  const wheel = /([A-Za-z0-9_.]+)-[^-/]+(-[^-/]+)?-[^-/]+-[^-/]+-[^-/]+\.whl$/.exec(text)
  return wheel ? normalizeName(wheel[1]) : undefined
}

function classify(
  file: string,
  logical: LogicalLine
): { entry?: RequirementEntry; problem?: string } {
  const { line, text } = logical
  const base = { file, line, text }
  const include = INCLUDE.exec(text)
  if (include) {
    const isConstraint = include[1] === '-c' || include[1] === '--constraint'
    const named = include[2].trim()
    const target = /^[a-z]+:\/\//i.test(named) ? named : path.resolve(path.dirname(file), named)
    return { entry: { ...base, kind: isConstraint ? 'constraint' : 'include', target } }
  }
  const editable = EDITABLE.exec(text)
  if (editable) {
    return { entry: { ...base, kind: 'editable', name: nameFromUrl(editable[2]) } }
  }
  if (text.startsWith('-')) return { entry: { ...base, kind: 'option' } }
  const requirement = text.split(PER_REQUIREMENT_OPTION)[0].trim()
  if (/^\$\{[A-Za-z0-9_]+\}/.test(requirement)) return { entry: { ...base, kind: 'requirement' } }
  const named = NAMED_REQUIREMENT.exec(requirement)
  if (named) return { entry: { ...base, kind: 'requirement', name: normalizeName(named[1]) } }
  if (looksLikeUrlOrPath(requirement)) {
    return { entry: { ...base, kind: 'requirement', name: nameFromUrl(requirement) } }
  }
  return {
    problem: `"${requirement}" is not a valid requirement (expected e.g. name==1.2, name>=1,<2, name[extra], or a URL)`
  }
}

function decodeUtf8(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

export type FileReader = (file: string) => Buffer

export function parseRequirementFiles(
  files: string[],
  read: FileReader = file => fs.readFileSync(file)
): ParsedRequirements {
  const result: ParsedRequirements = {
    files: [],
    entries: [],
    problems: [],
    usesHashes: false,
    urls: []
  }
  const visit = (file: string, stack: string[], from?: RequirementEntry): void => {
    if (stack.includes(file)) {
      const origin = from ?? { file, line: 1 }
      result.problems.push({
        file: origin.file,
        line: origin.line,
        message: `include cycle: ${[...stack.slice(stack.indexOf(file)), file].map(f => path.basename(f)).join(' -> ')}`
      })
      return
    }
    if (result.files.includes(file)) return
    let bytes: Buffer
    try {
      bytes = read(file)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      const why =
        code === 'ENOENT'
          ? 'does not exist'
          : code === 'EISDIR'
            ? 'is a directory'
            : `cannot be read (${code ?? String(error)})`
      result.problems.push({
        file: from?.file ?? file,
        line: from?.line ?? 1,
        message: `${file} ${why}`
      })
      return
    }
    const content = decodeUtf8(bytes)
    if (content === undefined) {
      result.problems.push({
        file: from?.file ?? file,
        line: from?.line ?? 1,
        message: `${file} is not a UTF-8 text file (binary or another encoding)`
      })
      return
    }
    result.files.push(file)
    for (const logical of logicalLines(content)) {
      const { entry, problem } = classify(file, logical)
      if (problem) {
        result.problems.push({ file, line: logical.line, message: problem })
        continue
      }
      if (!entry) continue
      result.entries.push(entry)
      if (/(^|\s)--(require-)?hash(es)?\b/.test(entry.text)) result.usesHashes = true
      for (const url of entry.text.match(/[a-z][a-z0-9+.-]*:\/\/\S+/gi) ?? []) result.urls.push(url)
      if (
        (entry.kind === 'include' || entry.kind === 'constraint') &&
        entry.target &&
        !/^[a-z]+:\/\//i.test(entry.target)
      ) {
        visit(entry.target, [...stack, file], entry)
      }
    }
  }
  for (const file of files) visit(path.resolve(file), [])
  return result
}

/** The entries that name a project, by normalized name, for mapping pip's failures to lines. */
export function entriesByName(parsed: ParsedRequirements): Map<string, RequirementEntry[]> {
  const byName = new Map<string, RequirementEntry[]>()
  for (const entry of parsed.entries) {
    if (!entry.name) continue
    byName.set(entry.name, [...(byName.get(entry.name) ?? []), entry])
  }
  return byName
}
