import { splitWords } from '../platform/words.js'
import { ARCHIVE_NAME } from './local-source.js'
import { isValidMarker } from './markers.js'
import { normalizeName } from './names.js'
import { parseOptions } from './options.js'

// One line of a requirements file as pip reads it: logical lines (splitlines, `\` continuations,
// comments), `${VAR}` expansion, then the line broken into the requirement and its options.

/** What a line of a requirements file is to pip. */
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
export function variablesOf(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map(m => m[1])
}

/** pip's break_args_options: the requirement is every word before the first one starting with `-`. */
export function breakArgsOptions(text: string): { args: string; options: string } {
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
export const URL_START = /^[a-z][a-z0-9+.-]*:\/\//i

/**
 * Whether pip looks what a requirement entry asks for up by name on an index: not an editable, a
 * URL (`name @ url` too), an archive or a path. Other entries (options, includes) ask for nothing.
 */
export function byName(entry: RequirementEntry): boolean {
  if (entry.kind === 'editable') return false
  if (entry.kind !== 'requirement') return true
  const requirement = pyStrip(breakArgsOptions(entry.text).args).split(/\s*;/)[0]
  return (
    NAMED_REQUIREMENT.test(requirement) &&
    !requirement.includes('@') &&
    !URL_START.test(requirement) &&
    !ARCHIVE_NAME.test(requirement)
  )
}
function looksLikeUrlOrPath(text: string): boolean {
  return URL_START.test(text) || /^[.~]|[/\\]|^[A-Za-z]:/.test(text)
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

export function classify(text: string): Classified {
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
  if (URL_START.test(requirement) || archive) {
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
