import * as path from 'node:path'
import { currentOs, localeEncoding, type OsName } from '../platform/os.js'
import {
  breakArgsOptions,
  classify,
  expandVariables,
  logicalLines,
  variablesOf,
  URL_START,
  type RequirementEntry
} from './requirement-line.js'
import {
  decodeRequirements,
  readRequirementsFile,
  FileProblemError,
  type FileReader
} from './requirements-file.js'

/**
 * pip's requirements-file format, read the way pip reads it (pip/_internal/req/req_file.py):
 * lines split like Python's splitlines, `\` continuations, comments, `${VAR}` expansion, then each
 * line broken into the requirement and its options at the first word that starts with `-`.
 * `-r`/`-c` includes are resolved relative to the including file. Every entry keeps its file and
 * line so that failures can be annotated where they come from. Only lines that no pip accepts are
 * problems; anything pip might take is left to pip. Pure but for reading the files.
 */

export interface RequirementProblem {
  /** A file that cannot be read, or a line pip would reject. */
  kind: 'missing-file' | 'invalid-requirement'
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
  /** The `${NAME}` variables the files use: pip fills them in from its environment. */
  variables: string[]
}

/** No requirement lines: what the upgrade run reads (none of its packages or failures is a line's). */
export const NO_REQUIREMENTS: ParsedRequirements = {
  files: [],
  entries: [],
  problems: [],
  usesHashes: false,
  urls: [],
  variables: []
}

export interface ParseContext {
  /** For `${VAR}`: pip expands them from its own environment, which is this process's. */
  env: NodeJS.ProcessEnv
  os: OsName
}

/** A name with extras (`requests[socks]`), as a constraint line begins. */
const WITH_EXTRAS = /^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*\[\s*[^\]\s]/

/**
 * What pip's check_invalid_constraint_type refuses, in its words: a constraint only narrows the
 * versions of a named project.
 */
function refusedConstraint(entry: RequirementEntry): string | undefined {
  const why = (problem: string) => `"${entry.text}": ${problem}, and pip would refuse it`
  if (entry.kind === 'editable') return why('Editable requirements are not allowed as constraints')
  if (entry.kind !== 'requirement') return undefined
  // A `${VAR}` this run cannot expand may hold the name.
  if (!entry.name && !/\$\{[A-Z0-9_]+\}/.test(entry.text)) {
    return why('Unnamed requirements are not allowed as constraints')
  }
  if (WITH_EXTRAS.test(breakArgsOptions(entry.text).args)) {
    return why('Constraints cannot have extras')
  }
  return undefined
}

/**
 * Requirements files included inside one another, at most. pip reads them by recursion and stops
 * with a RecursionError after a few hundred; no real project nests 20.
 */
export const MAX_INCLUDE_DEPTH = 100

/**
 * The constraint lines pip parses but refuses to install with (a check after parsing, so the
 * parser stays pip's parser): each a problem on its line.
 */
export function refusedConstraints(parsed: ParsedRequirements): RequirementProblem[] {
  return parsed.entries.flatMap(entry => {
    const message = entry.constraint ? refusedConstraint(entry) : undefined
    return message
      ? [{ kind: 'invalid-requirement' as const, file: entry.file, line: entry.line, message }]
      : []
  })
}

/** Reads requirements files and, as pip reads `-c` files, constraint files. */
export function parseRequirementFiles(
  files: string[],
  read: FileReader = readRequirementsFile,
  context: ParseContext = { env: process.env, os: currentOs() },
  constraints: string[] = []
): ParsedRequirements {
  const result: ParsedRequirements = {
    files: [],
    entries: [],
    problems: [],
    usesHashes: false,
    urls: [],
    variables: []
  }
  const variables = new Set<string>()
  /** result.files as a set: 3,000 includes made its linear search quadratic. */
  const parsedFiles = new Set<string>()
  const visit = (
    file: string,
    stack: string[],
    constraint: boolean,
    from?: RequirementEntry
  ): void => {
    const origin = { file: from?.file ?? file, line: from?.line ?? 1 }
    if (stack.includes(file)) {
      const cycle = [...stack.slice(stack.indexOf(file)), file].map(f => path.basename(f))
      result.problems.push({
        ...origin,
        kind: 'invalid-requirement',
        message: `include cycle: ${cycle.join(' -> ')}`
      })
      return
    }
    if (parsedFiles.has(file)) return
    if (stack.length > MAX_INCLUDE_DEPTH) {
      result.problems.push({
        ...origin,
        kind: 'invalid-requirement',
        message: `requirements files nested deeper than ${MAX_INCLUDE_DEPTH} are not followed; include ${path.basename(file)} from a file nearer the top`
      })
      return
    }
    let bytes: Buffer
    try {
      bytes = read(file)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      const why =
        error instanceof FileProblemError
          ? error.problem.message
          : code === 'ENOENT'
            ? 'does not exist'
            : code === 'EISDIR'
              ? 'is a directory'
              : `cannot be read (${code ?? String(error)})`
      result.problems.push({ ...origin, kind: 'missing-file', message: `${file} ${why}` })
      return
    }
    const locale = localeEncoding(context.os)
    const encodings = locale === 'utf-8' ? 'UTF-8' : `UTF-8 or ${locale}`
    const content = decodeRequirements(bytes, locale)
    if (content === undefined) {
      result.problems.push({
        ...origin,
        kind: 'invalid-requirement',
        message: `${file} is not a text file pip can read (binary, or not in ${encodings} and without a BOM or a coding: comment)`
      })
      return
    }
    result.files.push(file)
    parsedFiles.add(file)
    for (const logical of logicalLines(content)) {
      for (const name of variablesOf(logical.text)) variables.add(name)
      const text = expandVariables(logical.text, context.env)
      const { entry: classified, problem } = classify(text)
      if (problem || !classified) {
        result.problems.push({
          kind: 'invalid-requirement',
          file,
          line: logical.line,
          message: problem ?? text
        })
        continue
      }
      const entry: RequirementEntry = { ...classified, file, line: logical.line, constraint }
      if (entry.target && !URL_START.test(entry.target)) {
        entry.target = path.resolve(path.dirname(file), entry.target)
      }
      result.entries.push(entry)
      if (/(^|\s)--(require-)?hash(es)?\b/.test(entry.text)) result.usesHashes = true
      for (const url of entry.text.match(/[a-z][a-z0-9+.-]*:\/\/\S+/gi) ?? []) result.urls.push(url)
      if (entry.target && !URL_START.test(entry.target)) {
        // As in pip, `-r` inside a constraints file names requirements and `-c` constraints.
        visit(entry.target, [...stack, file], entry.kind === 'constraint', entry)
      }
    }
  }
  for (const file of files) visit(path.resolve(file), [], false)
  for (const file of constraints) visit(path.resolve(file), [], true)
  result.variables = [...variables]
  return result
}

/** The entries that name a project, by normalized name, for mapping pip's failures to lines. */
export function entriesByName(parsed: ParsedRequirements): Map<string, RequirementEntry[]> {
  const byName = new Map<string, RequirementEntry[]>()
  for (const entry of parsed.entries) {
    if (!entry.name) continue
    const named = byName.get(entry.name)
    if (named) named.push(entry)
    else byName.set(entry.name, [entry])
  }
  return byName
}
