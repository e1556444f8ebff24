import * as core from '@actions/core'
import { randomUUID } from 'node:crypto'
import type { Diagnostic, Where } from './diagnostic.js'
import { maskUrlCredentials } from './secrets.js'

/**
 * Everything venv-guard prints goes through here (eslint keeps @actions/core's logging functions
 * to this module), so that no text from an input, a repository or pip becomes a workflow command.
 * The runner reads a line as a command when it starts with `::` once leading white space is
 * trimmed, or holds the legacy `##[` anywhere, and it breaks lines at `\n` and at a lone `\r`.
 * @actions/core escapes line breaks in the text of annotations and groups, so one of those is one
 * command; a plain line is defused here, and another program's output is fenced with
 * `::stop-commands::`.
 */

const LINE_BREAKS = /(\r\n|\r|\n)/
// .NET's TrimStart also trims U+0085, which \s does not cover.
const COMMAND_START = /^([\s\u0085]*:)(?=:)/
const LEGACY_COMMAND = /##\[/g
const ZERO_WIDTH_SPACE = '\u200b'

/** The text as it reads, with an invisible break in every place the runner would take for a command. */
export function neutralise(text: string): string {
  return text
    .split(LINE_BREAKS)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(COMMAND_START, `$1${ZERO_WIDTH_SPACE}`)
            .replace(LEGACY_COMMAND, `##${ZERO_WIDTH_SPACE}[`)
    )
    .join('')
}

export function info(text: string): void {
  core.info(neutralise(text))
}

/** GitHub shows at most this many annotations of one type per step; the rest reach the summary. */
export const ANNOTATION_CAP = 10

/** A diagnostic as it was told. */
export interface Told extends Diagnostic {
  /** False when GitHub's cap of annotations per step left it to the summary. */
  shown: boolean
}

/** What this step told, in order: the job summary lists it (action/summary.ts). */
const told: Told[] = []
const shownCount = { error: 0, warning: 0, notice: 0 }

/**
 * The one way to tell the user something: a diagnostic becomes an annotation (while GitHub's cap
 * of annotations of its type lasts), with credentials masked, and is kept for the job summary,
 * which lists everything told. A fence still open (a concurrent task, or a cancelled step that ends
 * before its child does) would swallow the annotation: it is paused first.
 */
export function tell(diagnostic: Diagnostic): void {
  const masked = { ...diagnostic, message: maskUrlCredentials(diagnostic.message) }
  const shown = shownCount[masked.severity] < ANNOTATION_CAP
  told.push({ ...masked, shown })
  if (!shown) return
  shownCount[masked.severity]++
  const properties: core.AnnotationProperties = {
    ...(masked.title === undefined ? {} : { title: masked.title }),
    ...(masked.file === undefined ? {} : { file: masked.file, startLine: masked.line })
  }
  pauseUntrustedOutput()
  if (Object.keys(properties).length === 0) core[masked.severity](masked.message)
  else core[masked.severity](masked.message, properties)
}

/** Everything told so far, for the job summary. */
export function toldSoFar(): readonly Told[] {
  return told
}

/** Forgets what was told: for tests, which run many steps in one process. */
export function forgetTold(): void {
  told.length = 0
  for (const severity of ['error', 'warning', 'notice'] as const) shownCount[severity] = 0
}

/** A warning, told (above). */
export function warn(message: string, where: Where = {}): void {
  tell({ severity: 'warning', message, ...where })
}

/** A notice, told (above). */
export function notify(message: string, where: Where = {}): void {
  tell({ severity: 'notice', message, ...where })
}

export function group<T>(title: string, work: () => Promise<T>): Promise<T> {
  pauseUntrustedOutput()
  return core.group(title, work)
}

/** Another program's output, captured while something else wrote to the log, shown in a group. */
export function showOutput(title: string, text: string): Promise<void> {
  return group(title, async () => {
    const out = new UntrustedOutput()
    out.write(text.endsWith('\n') || text === '' ? text : `${text}\n`)
    out.end()
  })
}

/** Calls `then` once everything written so far has reached stdout (before the process exits). */
export function afterOutput(then: () => void): void {
  process.stdout.write('', then)
}

const fenced = new Set<UntrustedOutput>()

/** Pauses every fence still open, so that what is printed next is read as commands again. */
export function pauseUntrustedOutput(): void {
  for (const output of [...fenced]) output.pause()
}

/**
 * Another program's output, written as it comes with the runner's command processing stopped.
 * An annotation printed meanwhile pauses the fence; the program's next output opens a new one
 * (a new token: the old one has been seen).
 */
export class UntrustedOutput {
  private token = ''
  private endsLine = true
  private ended = false

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {
    this.open()
  }

  private open(): void {
    this.token = randomUUID()
    this.out.write(`::stop-commands::${this.token}\n`)
    fenced.add(this)
  }

  write(data: Buffer | string): void {
    if (data.length === 0 || this.ended) return
    if (!fenced.has(this)) this.open()
    this.out.write(data)
    this.endsLine = data.toString().endsWith('\n')
  }

  /** Resumes command processing: the token is seen only at the start of a line. */
  pause(): void {
    if (!fenced.delete(this)) return
    this.out.write(`${this.endsLine ? '' : '\n'}::${this.token}::\n`)
    this.endsLine = true
  }

  /** The program is done: its fence is closed for good. */
  end(): void {
    this.pause()
    this.ended = true
  }
}
