import * as fs from 'node:fs'
import * as path from 'node:path'
import { currentOs, localeEncoding, type OsName } from '../platform/os.js'
import { splitWords } from '../platform/words.js'
import { isValidMarker } from './markers.js'
import { parseOptions } from './options.js'
import { ARCHIVE_NAME } from './local-source.js'

/**
 * pip's requirements-file format, read the way pip reads it (pip/_internal/req/req_file.py):
 * lines split like Python's splitlines, `\` continuations, comments, `${VAR}` expansion, then each
 * line broken into the requirement and its options at the first word that starts with `-`.
 * `-r`/`-c` includes are resolved relative to the including file. Every entry keeps its file and
 * line so that failures can be annotated where they come from. Only lines that no pip accepts are
 * problems; anything pip might take is left to pip. Pure but for reading the files.
 */

export type EntryKind = 'requirement' | 'editable' | 'include' | 'constraint' | 'option'

export interface RequirementEntry {
  file: string
  /** 1-based number of the entry's first physical line. */
  line: number
  kind: EntryKind
  /** The logical line as pip sees it: continuations joined, comment removed, variables expanded. */
  text: string
  /** The normalized project name (PEP 503) when the line names one. */
  name?: string
  /** For includes and constraints: the file named, resolved. */
  target?: string
  /** True for entries of a file included with `-c`: pip reads them as constraints. */
  constraint: boolean
  /** The environment marker (after `;`): pip skips the line where it is false. */
  marker?: string
}

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

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-')
}

/** The project a requirement or a wheel names (`pip==24.2`, `.../pip-24.2-py3-none-any.whl` -> pip). */
export function projectOf(requirementOrWheel: string): string {
  const base = path.basename(requirementOrWheel)
  const name = base.endsWith('.whl')
    ? base.split('-')[0]
    : (/^[A-Za-z0-9._-]+/.exec(requirementOrWheel)?.[0] ?? requirementOrWheel)
  return normalizeName(name)
}

interface LogicalLine {
  line: number
  text: string
}

/** Python's str.splitlines: these are all line breaks to pip, and no empty last line. */
function splitLines(content: string): string[] {
  // eslint-disable-next-line no-control-regex -- the file separators are line breaks to Python
  const lines = content.split(/\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/)
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  return lines
}

/** Python's whitespace (str.isspace, and `\s` in its regular expressions), which JavaScript's `\s` is not. */
const PY_SPACE =
  '[\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]'
const COMMENT = new RegExp(`(^|${PY_SPACE}+)#.*$`)
const IS_COMMENT_LINE = new RegExp(`^${PY_SPACE}*#`)
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g')

/** Python's str.strip(). */
function pyStrip(text: string): string {
  return text.replace(PY_STRIP, '')
}

/**
 * Joins `\` continuations (a comment line ends one and never continues), strips comments and
 * blank lines, keeping the first physical line's number; as pip's join_lines and ignore_comments.
 */
export function logicalLines(content: string): LogicalLine[] {
  const joined: LogicalLine[] = []
  let pending: LogicalLine | undefined
  splitLines(content).forEach((raw, index) => {
    const continues = raw.endsWith('\\') && !IS_COMMENT_LINE.test(raw)
    const text = continues
      ? raw.replace(/^\\+|\\+$/g, '')
      : IS_COMMENT_LINE.test(raw)
        ? ` ${raw}`
        : raw
    pending = pending
      ? { line: pending.line, text: pending.text + text }
      : { line: index + 1, text }
    if (!continues) {
      joined.push(pending)
      pending = undefined
    }
  })
  if (pending) joined.push(pending)
  return joined
    .map(({ line, text }) => ({ line, text: pyStrip(text.replace(COMMENT, '')) }))
    .filter(({ text }) => text !== '')
}

const VARIABLE = /\$\{([A-Z0-9_]+)\}/g

/** `${NAME}` (upper case, digits, `_`) as pip expands it; unset or empty variables stay as they are. */
export function expandVariables(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(VARIABLE, (match, name: string) => env[name] || match)
}

/** The names of the variables a line uses. */
function variablesOf(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map(m => m[1])
}

/** pip's break_args_options: the requirement is every word before the first one starting with `-`. */
function breakArgsOptions(text: string): { args: string; options: string } {
  const tokens = text.split(' ')
  const first = tokens.findIndex(token => token.startsWith('-'))
  if (first === -1) return { args: text, options: '' }
  return { args: tokens.slice(0, first).join(' '), options: tokens.slice(first).join(' ') }
}

const NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?'
/**
 * A version clause as the most lenient pip still in use takes it: pip 23's packaging 21.3 allows
 * legacy versions (any run of characters but `,;)` and space, even none, `(` included), so
 * `foo>=1.0<2.0`, `foo!=(` and `foo==${VERSION}` are pip's to judge, not ours.
 */
const VERSION_CLAUSE = '(?:===|==|!=|<=|>=|~=|<|>)\\s*[^,;\\s)]*'
const NAMED_REQUIREMENT = new RegExp(
  `^(${NAME})\\s*(?:\\[[^\\]]*\\])?\\s*` +
    `(?:@\\s*\\S+\\s*|\\(?\\s*(?:${VERSION_CLAUSE}(?:\\s*,\\s*${VERSION_CLAUSE})*)?\\s*\\)?)?` +
    `\\s*(?:;.*)?$`
)
const URL = /^[a-z][a-z0-9+.-]*:\/\//i
function looksLikeUrlOrPath(text: string): boolean {
  return URL.test(text) || /^[.~]|[/\\]|^[A-Za-z]:/.test(text)
}

function nameFromUrl(text: string): string | undefined {
  const egg = /[#&]egg=([A-Za-z0-9._-]+)/.exec(text)
  if (egg) return normalizeName(egg[1])
  const wheel = /([A-Za-z0-9_.]+)-[^-/]+(-[^-/]+)?-[^-/]+-[^-/]+-[^-/]+\.whl$/.exec(text)
  return wheel ? normalizeName(wheel[1]) : undefined
}

interface Classified {
  entry?: Omit<RequirementEntry, 'file' | 'line' | 'constraint'>
  problem?: string
}

function classifyOptions(text: string, options: string): Classified {
  let words: string[]
  try {
    words = splitWords(options, { shlex: true })
  } catch (error) {
    return {
      problem: `"${options}" cannot be split into options (${(error as Error).message})`
    }
  }
  const values = parseOptions(words)
  const [include] = values.get('--requirement') ?? []
  const [constraint] = values.get('--constraint') ?? []
  const [editable] = values.get('--editable') ?? []
  // As pip's ParsedLine: a line with `-e` is an editable requirement, and its -r/-c are ignored;
  // of several includes the first -r is followed, else the first -c.
  if (editable === undefined && (include !== undefined || constraint !== undefined)) {
    const named = include ?? constraint
    if (named === '') return { problem: `"${text}" names no file` }
    return {
      entry: { kind: include !== undefined ? 'include' : 'constraint', text, target: named }
    }
  }
  if (editable !== undefined) {
    if (editable === '') return { problem: `"${text}" names no project to install` }
    return { entry: { kind: 'editable', text, name: nameFromUrl(editable) } }
  }
  // Other options differ between pip versions; pip itself says which it does not know.
  return { entry: { kind: 'option', text } }
}

/** The schemes pip's is_url knows (pip/_internal/vcs): a requirement that is such a URL. */
const PIP_URL =
  /^(?:https?|file|ftp|bzr\+(?:https?|ssh|sftp|ftp|lp|file)|git\+(?:https?|ssh|git|file)|hg\+(?:file|https?|ssh|static-http)|svn\+(?:ssh|https?|svn|file)):/i

/**
 * The marker of a requirement as pip's parse_req_from_line finds it: after the first `;`, or the
 * first `; ` when the requirement is a URL (whose own `;` are not markers); stripped.
 */
function markerOf(requirement: string): string | undefined {
  const separator = PIP_URL.test(requirement) ? '; ' : ';'
  const at = requirement.indexOf(separator)
  return at === -1 ? undefined : pyStrip(requirement.slice(at + separator.length))
}

function classify(text: string): Classified {
  const { args, options } = breakArgsOptions(text)
  if (args === '') return classifyOptions(text, options)
  // Every pip parses the marker first, whatever the requirement is; an empty one is none.
  const marker = markerOf(args)
  if (marker && !isValidMarker(marker)) {
    return {
      problem: `"${marker}" is not a valid environment marker (expected e.g. python_version >= "3.9" or sys_platform == "linux", joined with and/or)`
    }
  }
  const requirement = pyStrip(args)
  // pip takes an archive name as a file, unless it is `name @ url` (what precedes `@` is no path).
  const archive =
    ARCHIVE_NAME.test(requirement.split(/\s*;/)[0]) && !/^[^@/\\.][^@/\\]*@/.test(requirement)
  const withMarker = marker ? { marker } : {}
  if (URL.test(requirement) || archive) {
    return { entry: { kind: 'requirement', text, name: nameFromUrl(requirement), ...withMarker } }
  }
  const named = NAMED_REQUIREMENT.exec(requirement)
  if (named) {
    return { entry: { kind: 'requirement', text, name: normalizeName(named[1]), ...withMarker } }
  }
  // A directory, or a variable pip expands from an environment this run does not see.
  if (looksLikeUrlOrPath(requirement) || /\$\{[A-Z0-9_]+\}/.test(requirement)) {
    return { entry: { kind: 'requirement', text } }
  }
  // pip reads NUL bytes as text too, and fails on the line: say why it looks like that.
  if (requirement.includes('\0')) {
    return { problem: 'the line has NUL bytes: the file is binary, or UTF-16 without a BOM' }
  }
  return {
    problem: `"${requirement}" is not a valid requirement (expected e.g. name==1.2, name>=1,<2, name[extra], or a URL)`
  }
}

function tryDecode(bytes: Buffer, encoding: string): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/** UTF-32, strict as Python's codec (Node's TextDecoder has no UTF-32). */
function decodeUtf32(bytes: Buffer, littleEndian: boolean): string | undefined {
  if (bytes.length % 4 !== 0) return undefined
  const chars: string[] = []
  for (let i = 0; i < bytes.length; i += 4) {
    const code = littleEndian ? bytes.readUInt32LE(i) : bytes.readUInt32BE(i)
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined
    chars.push(String.fromCodePoint(code))
  }
  return chars.join('')
}

const startsWith = (bytes: Buffer, prefix: number[]) => prefix.every((b, i) => bytes[i] === b)

/**
 * Python's "utf-16" and "utf-32" codecs, which pip applies after a little-endian BOM: one more
 * BOM right after it is consumed too, and its byte order wins.
 */
function decodeWithBom(
  bytes: Buffer,
  width: 2 | 4,
  decode: (data: Buffer, littleEndian: boolean) => string | undefined
): string | undefined {
  const le = width === 2 ? [0xff, 0xfe] : [0xff, 0xfe, 0, 0]
  const be = width === 2 ? [0xfe, 0xff] : [0, 0, 0xfe, 0xff]
  if (startsWith(bytes, le)) return decode(bytes.subarray(width), true)
  if (startsWith(bytes, be)) return decode(bytes.subarray(width), false)
  return decode(bytes, true)
}

const utf16 = (data: Buffer, littleEndian: boolean) =>
  tryDecode(data, littleEndian ? 'utf-16le' : 'utf-16be')

/**
 * The BOMs of pip 25 and later, in its order: UTF-32's before UTF-16's, whose little-endian BOM
 * begins UTF-32's (older pips, the other way round, garbled UTF-32-LE files).
 */
const BOMS: Array<[number[], (data: Buffer) => string | undefined]> = [
  [[0xef, 0xbb, 0xbf], data => tryDecode(data, 'utf-8')],
  [[0xff, 0xfe, 0, 0], data => decodeWithBom(data, 4, decodeUtf32)],
  [[0, 0, 0xfe, 0xff], data => decodeUtf32(data, false)],
  [[0xff, 0xfe], data => decodeWithBom(data, 2, utf16)],
  [[0xfe, 0xff], data => utf16(data, false)]
]

/** Python's names of Latin-1, which the WHATWG decoder would read as Windows-1252 instead. */
const LATIN_1 =
  /^(latin[-_]?1|latin|l1|iso[-_]?8859[-_]1|8859|cp819|ibm819|iso[-_]ir[-_]100|csisolatin1)$/i

/**
 * pip's decoding of a requirements file: a BOM, else a PEP 263 `coding:` comment in the first two
 * lines, else UTF-8 and then the locale's encoding (pip 25 on; older pips go straight to the
 * locale's, the same on Linux and macOS). An encoding Node does not know is pip's to judge: read
 * it as Latin-1, which never fails and keeps the ASCII structure.
 */
export function decodeRequirements(bytes: Buffer, fallback: string): string | undefined {
  for (const [bom, decode] of BOMS) {
    if (startsWith(bytes, bom)) return decode(bytes.subarray(bom.length))
  }
  for (const line of bytes.toString('latin1').split('\n').slice(0, 2)) {
    // pip's pattern is a bytes one: ASCII whitespace only.
    const declared = /coding[:=][ \t\n\r\f\v]*([-\w.]+)/.exec(line)
    if (line.startsWith('#') && declared) {
      const encoding = declared[1]
      let known = true
      try {
        new TextDecoder(encoding)
      } catch {
        known = false
      }
      return known && !LATIN_1.test(encoding)
        ? tryDecode(bytes, encoding)
        : bytes.toString('latin1')
    }
  }
  return tryDecode(bytes, 'utf-8') ?? tryDecode(bytes, fallback)
}

export type FileReader = (file: string) => Buffer

/** pip reads a requirements file whole: a larger one is no list of requirements. */
export const MAX_REQUIREMENTS_BYTES = 32 * 1024 * 1024

export interface FileProblem {
  kind: 'missing' | 'directory' | 'special' | 'too-large' | 'unreadable'
  /** What is wrong, to follow the file's name. */
  message: string
}

/**
 * Why a file cannot be a requirements file, checked before it is opened: only a regular file of a
 * sane size is read, so that `-r /dev/zero`, a FIFO or a huge file cannot hang the step.
 */
export function requirementsFileProblem(file: string): FileProblem | undefined {
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return code === 'ENOENT' || code === 'ENOTDIR'
      ? { kind: 'missing', message: 'does not exist' }
      : { kind: 'unreadable', message: `cannot be read (${code ?? String(error)})` }
  }
  if (stat.isDirectory()) return { kind: 'directory', message: 'is a directory' }
  if (!stat.isFile()) {
    return {
      kind: 'special',
      message: 'is not a regular file (a device, FIFO or socket can block or never end)'
    }
  }
  if (stat.size > MAX_REQUIREMENTS_BYTES) {
    return {
      kind: 'too-large',
      message: `is larger than ${MAX_REQUIREMENTS_BYTES / 1024 / 1024} MiB, more than any list of requirements`
    }
  }
  return undefined
}

/** Reads a requirements file after requirementsFileProblem found nothing wrong with it. */
export function readRequirementsFile(file: string): Buffer {
  const problem = requirementsFileProblem(file)
  if (problem) throw Object.assign(new Error(problem.message), { problem })
  return fs.readFileSync(file)
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
        (error as { problem?: FileProblem }).problem?.message ??
        (code === 'ENOENT'
          ? 'does not exist'
          : code === 'EISDIR'
            ? 'is a directory'
            : `cannot be read (${code ?? String(error)})`)
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
      if (entry.target && !URL.test(entry.target)) {
        entry.target = path.resolve(path.dirname(file), entry.target)
      }
      result.entries.push(entry)
      if (/(^|\s)--(require-)?hash(es)?\b/.test(entry.text)) result.usesHashes = true
      for (const url of entry.text.match(/[a-z][a-z0-9+.-]*:\/\/\S+/gi) ?? []) result.urls.push(url)
      if (entry.target && !URL.test(entry.target)) {
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
