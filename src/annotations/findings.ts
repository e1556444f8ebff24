import * as path from 'node:path'
import { redactUrlCredentials } from '../report/secrets.js'
import { pylockFailures, type PylockFile } from '../pip/pylock.js'
import {
  entriesByName,
  normalizeName,
  type ParsedRequirements,
  type RequirementEntry,
  type RequirementProblem
} from '../pip/requirements.js'

/**
 * pip's failures mapped back to the requirement lines that caused them, so that a reviewer sees
 * the annotation on the line in the pull request's diff. The mapping is pure: pip's output in,
 * findings out (written against real output of pip 23.0 to 24.2, see
 * __tests__/fixtures/pip-output). Emitting them respects GitHub's cap of 10 annotations per type
 * and step: the most important first, the rest only in the job summary.
 */

/** In order of importance: what the user must fix first comes first. */
const KINDS = [
  'invalid-requirement',
  'missing-file',
  'conflict',
  'hash',
  'not-found',
  'fetch',
  'clone',
  'build',
  'pip',
  'broken-dependency'
] as const
export type FindingKind = (typeof KINDS)[number]

export interface Finding {
  level: 'error' | 'warning'
  kind: FindingKind
  title: string
  message: string
  /** Absolute path of the requirements file and the line, when the cause was traced to one. */
  file?: string
  line?: number
}

const TITLES: Record<FindingKind, string> = {
  'invalid-requirement': 'venv-guard: invalid requirement',
  'missing-file': 'venv-guard: missing requirements file',
  conflict: 'venv-guard: dependency conflict',
  hash: 'venv-guard: hash check failed',
  'not-found': 'venv-guard: no matching distribution',
  fetch: 'venv-guard: download failed',
  clone: 'venv-guard: clone failed',
  build: 'venv-guard: build failed',
  pip: 'venv-guard: pip install failed',
  'broken-dependency': 'venv-guard: broken dependency'
}

/** GitHub shows at most this many annotations of one type (error, warning) per step. */
export const ANNOTATION_CAP = 10

// `(from -r FILE (line N))`, also behind the requirements that brought it in (`(from a==1->-r FILE (line N))`).
const FROM_FILE = /\(from (?:[^()\s]+->)?(?:-r|-c) (.+?) \(line (\d+)\)\)/
/** `(from mypy==2.4.0->pylock.toml)`: a dependency of a requirement that names no line (a lock's entry). */
const FROM_PARENT = /\(from ([^()\s]+?)->[^()]*\)/
const FROM_LINE_OF = /\(from line (\d+) of (.+?)\)/

function finding(kind: FindingKind, message: string, entry?: Located): Finding {
  const level = kind === 'broken-dependency' ? 'warning' : 'error'
  return { level, kind, title: TITLES[kind], message, ...entry }
}

/** The requirements pip was given, and the workspace that annotation paths are relative to. */
export interface RequirementsContext {
  parsed: ParsedRequirements
  workspace: string
  /** The lock files among the requirements (pip names their packages' paths, not lines). */
  locks?: PylockFile[]
}

interface Located {
  file: string
  line: number
}

/** The project name a requirement string starts with (`foo[x]>=1` -> `foo`). */
function nameOf(spec: string): string | undefined {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(spec)
  return m ? normalizeName(m[1]) : undefined
}

/** Looks up the lines behind pip's messages: by `-r file (line N)`, by name, or by text. */
class Locator {
  private readonly byName: Map<string, RequirementEntry[]>
  // Indexes, so that a file of many lines costs linear time, however much pip says about it.
  private readonly byTextExact = new Map<string, RequirementEntry>()
  private readonly byPlace = new Map<string, RequirementEntry>()

  constructor(
    private readonly parsed: ParsedRequirements,
    private readonly workspace: string
  ) {
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
   * `(from -r FILE (line N))` or `(from line N of FILE)` anywhere in the text; else, for a
   * dependency, the entry of the requirement that brought it in (`(from mypy==2.4.0->pylock.toml)`).
   */
  fromText(text: string): Located | undefined {
    const r = FROM_FILE.exec(text)
    if (r) return { file: path.resolve(r[1]), line: Number(r[2]) }
    const of = FROM_LINE_OF.exec(text)
    if (of) return { file: path.resolve(of[2]), line: Number(of[1]) }
    const parent = FROM_PARENT.exec(text)
    return parent ? this.byRequirement(parent[1]) : undefined
  }

  /**
   * The entry naming a project: requirements before constraints (or the reverse when pip says the
   * constraint), and among several the one whose text starts with pip's requirement string.
   */
  byRequirement(spec: string, constraint = false): Located | undefined {
    const name = nameOf(spec)
    const entries = (name && this.byName.get(name)) || []
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

  /** The entry whose text names this URL or path (credentials aside: pip hides them). */
  byText(target: string): Located | undefined {
    const bare = (text: string) => text.replace(/\/\/[^/@\s]*@/g, '//')
    return pick(this.parsed.entries.find(e => bare(e.text).includes(bare(target))))
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
function blockAfter(lines: string[], index: number): string[] {
  const block: string[] = []
  for (const line of lines.slice(index + 1)) {
    if (line.trim() === '') break
    block.push(line)
  }
  return block
}

function invalidRequirements(lines: string[], locate: Locator): Finding[] {
  const found: Finding[] = []
  lines.forEach((line, i) => {
    const m = /^ERROR: Invalid requirement: (.*)$/.exec(line)
    if (!m) return
    const block = [m[1], ...blockAfter(lines, i).filter(l => !/^ERROR:/.test(l))]
    const quoted = /^'(.*?)'(?::|$| \(from)/.exec(m[1])?.[1] ?? m[1]
    const where = locate.fromText(block.join('\n')) ?? locate.byLine(quoted)
    const reason = /^'.*?': (.*?)(?: \(from line \d+ of .*\))?$/.exec(m[1])?.[1]
    // Hints and optparse's complaint; not pip 24's caret drawing, which an annotation cannot align.
    const details = block
      .slice(1)
      .filter(l => /^(Hint|.*error): /.test(l))
      .map(l => l.replace(/^.*?error: /, ''))
    const message = [`Invalid requirement: ${quoted}${reason ? ` (${reason})` : ''}`, ...details]
    found.push(finding('invalid-requirement', message.join('\n'), where))
  })
  return found
}

function notProjects(lines: string[], locate: Locator): Finding[] {
  return lines.flatMap(line => {
    const m =
      /^ERROR: Directory '(.+)' is not installable\. (.*)$/.exec(line) ??
      /^ERROR: (.+) does not appear to be a Python project: (.*)$/.exec(line)
    if (!m) return []
    const message = `${m[1]} is not a Python project: ${m[2]}`
    return [finding('invalid-requirement', message, locate.byPath(m[1]))]
  })
}

function missingFiles(lines: string[], locate: Locator): Finding[] {
  return lines.flatMap(line => {
    const m = /Could not open requirements file: \[Errno \d+\] ([^:]+): '(.+)'$/.exec(line)
    if (!m) return []
    const message = `${locate.relative(m[2])} cannot be opened: ${m[1]}. Fix the path (relative to this file) or remove the line.`
    return [finding('missing-file', message, locate.includeOf(m[2]))]
  })
}

// What pip logs when the index is down, failing or silent, before it concludes that nothing matches.
const INDEX_TROUBLE =
  /Retrying \(Retry\(|Could not fetch URL|Failed to establish a new connection|Read timed out|HTTP error \d{3}|ConnectTimeoutError|Max retries exceeded/

function notFound(lines: string[], locate: Locator): Finding[] {
  const unreachable = lines.find(l => INDEX_TROUBLE.test(l))
  const pythonNote = lines
    .map(l =>
      /^ERROR: (Ignored the following versions that require a different python version: .*)$/.exec(
        l
      )
    )
    .find(Boolean)?.[1]
  return lines.flatMap(line => {
    const m =
      /^ERROR: Could not find a version that satisfies the requirement (.+?)(?: \(from (.*)\))? \(from versions: ([^)]*)\)$/.exec(
        line
      )
    if (!m) return []
    const [, spec, parent, versions] = m
    // pip's "from versions: none": it found no version at all (no such project where it looked,
    // or none for this Python), which is not the same as finding some that do not match.
    const found =
      versions === 'none' ? 'pip found no version of it at all' : `pip found ${versions}`
    const direct = locate.fromText(line)
    const parentName = parent && !parent.startsWith('-') ? parent.split('->')[0] : undefined
    const where =
      direct ?? (parentName ? locate.byRequirement(parentName) : locate.byRequirement(spec))
    const what = parentName
      ? `${parentName.replace(/[=<>!~].*$/, '')} needs ${spec}, and no version of it matches (${found}).`
      : `No version of ${spec} matches (${found}).`
    const note = pythonNote ? `\n${pythonNote}` : ''
    const advice = unreachable
      ? `pip could not reach the index (${unreachable.trim()}): check that it is up and reachable from the runner.`
      : 'Check the name and the version range, and the index pip uses.'
    return [finding('not-found', `${what} ${advice}${note}`, where)]
  })
}

function otherPython(lines: string[], locate: Locator): Finding[] {
  return lines.flatMap(line => {
    const m = /^ERROR: Package '(.+)' requires a different Python: (\S+) not in '(.+)'$/.exec(line)
    if (!m) return []
    const message = `${m[1]} requires Python ${m[3]}, and this is Python ${m[2]}. Use a version of ${m[1]} that supports it, or another python-version.`
    return [finding('not-found', message, locate.byRequirement(m[1]))]
  })
}

interface Cause {
  /** As pip says it: `alpha 2.0.0 depends on beta>=2`, `The user requested beta==1`. */
  text: string
  /** How it reads as what this line asks for, and as what another line asks for. */
  asSubject: string
  asOther: string
  where?: Located
}

function conflictCause(text: string, locate: Locator): Cause {
  const constraint = /^The user requested \(constraint\) (.+)$/.exec(text)
  if (constraint) {
    const spec = `the constraint ${constraint[1]}`
    return {
      text,
      asSubject: spec,
      asOther: spec,
      where: locate.byRequirement(constraint[1], true)
    }
  }
  const requested = /^The user requested (.+)$/.exec(text)
  if (requested) {
    return {
      text,
      asSubject: requested[1],
      asOther: requested[1],
      where: locate.byRequirement(requested[1])
    }
  }
  const dependsOn = /^(\S+ \S+) depends on (.+)$/.exec(text)
  if (dependsOn) {
    const other = `${dependsOn[1]}, which depends on ${dependsOn[2]}`
    return { text, asSubject: text, asOther: other, where: locate.byRequirement(dependsOn[1]) }
  }
  return { text, asSubject: text, asOther: text }
}

function conflicts(lines: string[], locate: Locator): Finding[] {
  const header = lines.findIndex(l =>
    /^ERROR: Cannot install .* because these package versions have conflicting dependencies\.$/.test(
      l
    )
  )
  if (header === -1) return []
  const causedBy = lines.findIndex(l => l.trim() === 'The conflict is caused by:')
  const causes = (causedBy === -1 ? [] : blockAfter(lines, causedBy)).map(l =>
    conflictCause(l.trim(), locate)
  )
  const other = (c: Cause) => `${c.asOther}${c.where ? ` (${locate.label(c.where)})` : ''}`
  // pip 24+: "Additionally, some packages in these conflicts have no matching distributions
  // available": then the pin names a version the index does not have, no conflict to loosen.
  const note = lines.findIndex(l => /have no matching distributions available/.test(l))
  const unavailable = new Set(
    (note === -1 ? [] : blockAfter(lines, note)).map(l => normalizeName(l.trim()))
  )
  const located = new Map<string, Finding>()
  for (const cause of causes) {
    if (!cause.where || located.has(locate.label(cause.where))) continue
    const others = causes.filter(c => c !== cause).map(other)
    const name = nameOf(cause.text.replace(/^The user requested (\(constraint\) )?/, ''))
    const message =
      name && unavailable.has(name)
        ? `${cause.asSubject}: the index has no distribution of ${name} that matches it${others.length > 0 ? ` and ${others.join(' and ')}` : ''}. Check that the version exists on the index pip uses, or change the pin.`
        : `${cause.asSubject}, which conflicts with ${others.join(' and ') || 'another requirement'}. Loosen or change one of them.`
    located.set(locate.label(cause.where), finding('conflict', message, cause.where))
  }
  // Lines pip names whose conflict comes from deeper in the dependency tree.
  const all = causes.map(c => c.text).join('; ')
  for (const m of lines[header].matchAll(/-[rc] (.+?) \(line (\d+)\)/g)) {
    const where = { file: path.resolve(m[1]), line: Number(m[2]) }
    const message = `This requirement cannot be installed: ${all}. Loosen or change one of them.`
    if (!located.has(locate.label(where)))
      located.set(locate.label(where), finding('conflict', message, where))
  }
  if (located.size > 0) return [...located.values()]
  return [finding('conflict', `pip found conflicting requirements: ${all || lines[header]}`)]
}

const HASH_HEADERS: Array<[RegExp, (item: string, details: string[], parent?: string) => string]> =
  [
    [
      /^ERROR: THESE PACKAGES DO NOT MATCH THE HASHES/,
      (item, details) => {
        const expected = details.find(d => /^Expected /.test(d))?.replace(/\s+/g, ' ')
        const got = details.find(d => /^Got /.test(d))?.replace(/^Got\s+/, '')
        return `The file pip got for ${item} does not match the --hash here (${expected ?? 'expected another hash'}, got ${got ?? 'another'}). If you changed the version, update the hash; otherwise the file may have been tampered with.`
      }
    ],
    [
      /^ERROR: Hashes are required in --require-hashes mode, but they are missing/,
      item => {
        const [spec, hash] = item.split(/ (?=--hash=)/)
        return `${spec} has no --hash, and hash-checking mode (--require-hashes, or a --hash on any line) needs one for every package. Add: ${spec} ${hash ?? ''}`.trim()
      }
    ],
    [
      /^ERROR: In --require-hashes mode, all requirements must have their versions pinned with ==/,
      (item, _details, parent) =>
        parent
          ? `${parent} needs ${item}, and hash-checking mode (--require-hashes, or a --hash on any line) needs every package pinned with == and hashed: add ${item.replace(/[<>=!~;\s].*$/, '')}==VERSION --hash=sha256:... to the requirements.`
          : `${item} must be pinned with == in hash-checking mode (--require-hashes, or a --hash on any line).`
    ],
    [/^ERROR: Can't verify hashes for these /, item => `pip cannot verify a hash for ${item}.`]
  ]

function hashes(lines: string[], locate: Locator): Finding[] {
  const found: Finding[] = []
  lines.forEach((line, i) => {
    const header = HASH_HEADERS.find(([re]) => re.test(line))
    if (!header) return
    // Items are indented by four spaces, their details (Expected/Got) by more.
    const items: Array<{ text: string; details: string[] }> = []
    for (const l of blockAfter(lines, i)) {
      if (/^\s{5,}\S/.test(l)) items.at(-1)?.details.push(l.trim())
      else if (/^\s{4}\S/.test(l)) items.push({ text: l.trim().replace(/:$/, ''), details: [] })
    }
    for (const { text, details } of items) {
      const spec = text
        .replace(/ from \S+.*$/, '')
        .replace(FROM_FILE, '')
        .trim()
      const where = locate.fromText(text) ?? locate.byRequirement(spec)
      // A dependency pip found unhashed: blamed on the line that brought it in, which it names.
      const parent = /\(from ([^()\s]+?)->/.exec(text)?.[1]
      found.push(finding('hash', header[1](spec, details, parent), where))
    }
  })
  return found
}

/** What pip was collecting when a line failed: the last Collecting/Obtaining/Processing line before it. */
function collectingBefore(lines: string[], index: number): string | undefined {
  return lines
    .slice(0, index)
    .reverse()
    .find(l => /^(?:Collecting|Obtaining|Processing) /.test(l))
}

const VCS_COMMAND = /^\s*× (?:git (?:clone|fetch|checkout)|hg clone|svn checkout|bzr branch)\b/

/** A VCS requirement whose checkout failed: nothing was built, the clone itself did not work. */
function clones(lines: string[], locate: Locator): Finding[] {
  const found = new Map<string, Finding>()
  lines.forEach((line, i) => {
    if (!VCS_COMMAND.test(line)) return
    const url = /\s'?([a-z][a-z0-9+.-]*:\/\/[^\s']+)/i.exec(line)?.[1]
    if (!url || found.has(url)) return
    const reason = lines
      .slice(0, i)
      .reverse()
      .find(l => /^\s*(fatal|abort|svn: E\d+|ERROR):? /.test(l))
      ?.trim()
    const collecting = collectingBefore(lines, i)
    const where = (collecting ? locate.fromText(collecting) : undefined) ?? locate.byText(url)
    const message = `Cloning ${redactUrlCredentials(url)} failed${reason ? ` (${reason})` : ''}. Check the URL and the branch, tag or commit it names, that the host is reachable from the runner, and for a private repository that the job has credentials for it (a token from a secret in the URL, e.g. git+https://\${TOKEN}@host/org/repo.git, or an SSH deploy key); or install a released version from the index instead.`
    found.set(url, finding('clone', message, where))
  })
  return [...found.values()]
}

/** A URL or path requirement that pip could not download or open. */
function fetches(lines: string[], locate: Locator): Finding[] {
  const index = lines.findIndex(
    l =>
      /^ERROR: Could not install packages due to an OSError: /.test(l) ||
      /^× .* while fetching \S+/.test(l)
  )
  if (index === -1) return []
  const line = lines[index]
  const url = / while fetching (\S+)/.exec(line)?.[1]
  // A missing file is a requirement's only when a line names it (not a file pip was installing).
  const missing = /No such file or directory: '([^']+)'/.exec(line)?.[1]
  if (missing && !url && !locate.byText(missing)) return []
  const pool = /host='([^']+)'.*?url: (\S+) \(/.exec(line)
  if (!url && !missing && !pool) return []
  const collecting = collectingBefore(lines, index)
  const where =
    (url ? locate.byText(url) : undefined) ??
    (missing ? locate.byText(missing) : undefined) ??
    (pool ? locate.byText(pool[2]) : undefined) ??
    (collecting ? locate.fromText(collecting) : undefined)
  const target = url ?? missing ?? (where && locate.textAt(where)) ?? `${pool![1]}…${pool![2]}`
  const reason = url
    ? (lines[index + 1] ?? '').replace(/^\s*╰─>\s*/, '').trim()
    : line.replace(/^ERROR: Could not install packages due to an OSError: /, '').slice(0, 300)
  const message = `${redactUrlCredentials(target)} could not be fetched${reason ? ` (${reason})` : ''}. Check that the URL or path is right, that the file exists, and that its host is reachable from the runner.`
  return [finding('fetch', message, where)]
}

/** The last line a failed build printed before `[end of output]`: usually the compiler's or setup.py's error. */
function buildCause(lines: string[], from: number): string | undefined {
  const end = lines.findIndex((l, i) => i > from && l.trim() === '[end of output]')
  if (end === -1) return undefined
  return lines
    .slice(from, end)
    .map(l => l.trim())
    .filter(l => l !== '' && !/^(╰─>|│)/.test(l))
    .pop()
}

/**
 * The name of what pip collects: `name @ url`, `name@ url` and `name from url` name it; an sdist
 * by its file name; a bare URL or path (`-e .`, `git+https://host/kombu.git`) by its line as
 * written, or by the URL itself.
 */
function collectedName(target: string, lineText: string | undefined): string {
  const named = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:@|\sfrom\s)/.exec(target)
  if (named) return named[1]
  const sdist = /([^/]+?)-\d[^/-]*\.(?:tar\.gz|zip|tar\.bz2|tgz|tar)$/.exec(target)
  if (sdist) return sdist[1]
  if (!/[/\\:]/.test(target)) return target.split(/[\s=<>!~;[]/)[0]
  return redactUrlCredentials(lineText ?? target)
}

function builds(lines: string[], locate: Locator): Finding[] {
  const found = new Map<string, Finding>()
  // What pip collected so far, by name, with the line it names (pip 23.1+ says it); the last one
  // is what a failed metadata step, which does not name its package, was working on.
  const collected = new Map<string, Located | undefined>()
  let last: string | undefined
  lines.forEach((line, i) => {
    const collecting = /^(?:Collecting|Processing|Obtaining) (.+?)(?: \(from .*\))?$/.exec(line)
    if (collecting) {
      const where = locate.fromText(line)
      last = collectedName(collecting[1], where && locate.textAt(where))
      collected.set(nameOf(last) ?? last, where)
      return
    }
    if (VCS_COMMAND.test(line)) return
    const failed =
      /^\s*× (?:Building (?:wheel|editable) for (\S+) .*|.*) did not run successfully\.$/.exec(line)
    const name = failed ? (failed[1] ?? last) : undefined
    const key = name && (nameOf(name) ?? name)
    if (!name || !key || found.has(key)) return
    const step = line.replace(/^\s*× /, '').replace(/ did not run successfully\.$/, '')
    const cause = buildCause(lines, i)
    const message = `${name} could not be built from source (${step} failed)${cause ? `: ${cause}` : ''}. The full build log is in pip's output. Pin a version that has a wheel for this platform, or install what the build needs.`
    found.set(key, finding('build', message, collected.get(key) ?? locate.byRequirement(name)))
  })
  return [...found.values()]
}

/** pip's error lines, for a failure no line could be traced to; else its last words (a usage error). */
export function pipErrorLines(output: string): string {
  const lines = output.split(/\r?\n/)
  const errors = lines.filter(line => /^(ERROR|error):|^\s*×|^\s*╰─>/.test(line))
  // pip's own crash ("ERROR: Exception:") says what went wrong only on the traceback's last line.
  const crash = errors.includes('ERROR: Exception:')
    ? lines.filter(line => /^[\w.]+(Error|Exception|Marker|Requirement)\b[^:]*: /.test(line)).pop()
    : undefined
  if (crash) errors.push(crash)
  if (errors.length > 0) return errors.slice(-6).join('\n')
  return lines.filter(line => line.trim() !== '').pop() ?? ''
}

// eslint-disable-next-line no-control-regex -- ANSI colour codes, should pip ever be forced to colour
const ANSI = /\x1b\[[0-9;]*m/g

/** What went wrong in a failed `pip install`, each cause on its requirement line when traceable. */
export function findingsFromPipFailure(
  output: string,
  requirements: RequirementsContext,
  title: string,
  exitCode: number
): Finding[] {
  const lines = output.replace(ANSI, '').split(/\r?\n/)
  const locate = new Locator(requirements.parsed, requirements.workspace)
  const found = [
    ...invalidRequirements(lines, locate),
    ...notProjects(lines, locate),
    ...missingFiles(lines, locate),
    ...conflicts(lines, locate),
    ...hashes(lines, locate),
    ...notFound(lines, locate),
    ...otherPython(lines, locate),
    ...fetches(lines, locate),
    ...clones(lines, locate),
    ...builds(lines, locate),
    ...pylockFailures(lines.join('\n'), requirements.locks ?? [], requirements.workspace).map(f =>
      finding('invalid-requirement', f.message, f)
    )
  ]
  if (found.length > 0) return found
  const quoted = pipErrorLines(output)
  return [
    finding('pip', `${title} failed: pip exited with ${exitCode}.${quoted ? `\n${quoted}` : ''}`)
  ]
}

/** `pip check`'s complaints, as warnings on the line that asked for the package concerned. */
export function findingsFromPipCheck(output: string, requirements: RequirementsContext): Finding[] {
  const locate = new Locator(requirements.parsed, requirements.workspace)
  return output.split(/\r?\n/).flatMap(line => {
    const m =
      /^(\S+) \S+ requires (\S+), which is not installed\.$/.exec(line) ??
      /^(\S+) \S+ has requirement (\S+?)[\s=<>!~[;(].*, but you have .*\.$/.exec(line) ??
      /^(\S+) \S+ is not supported on this platform$/.exec(line)
    if (!m) return []
    const where = locate.byRequirement(m[1]) ?? (m[2] ? locate.byRequirement(m[2]) : undefined)
    return [
      finding(
        'broken-dependency',
        `${line.trim().replace(/\.$/, '')} (pip check). The venv was installed, but this dependency is broken: add or pin the package it needs.`,
        where
      )
    ]
  })
}

/** The parser's problems (before pip runs) as findings, on the line pip would complain about. */
export function findingsFromProblems(problems: RequirementProblem[]): Finding[] {
  return problems.map(({ kind, file, line, message }) => finding(kind, message, { file, line }))
}

/** Most important first (see KINDS). */
export function byImportance(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind))
}
