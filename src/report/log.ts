import * as core from '@actions/core'
import { randomUUID } from 'node:crypto'
import type { RunReport } from './run-report.js'

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

// Annotations as @actions/core writes them: one command each, whatever their text holds. A fence
// still open (a concurrent task, or a cancelled step that ends before its child does) would swallow
// them: it is paused first.
export function notice(...args: Parameters<typeof core.notice>): void {
  pauseUntrustedOutput()
  core.notice(...args)
}

export function warning(...args: Parameters<typeof core.warning>): void {
  pauseUntrustedOutput()
  core.warning(...args)
}

export function error(...args: Parameters<typeof core.error>): void {
  pauseUntrustedOutput()
  core.error(...args)
}

export function group<T>(title: string, work: () => Promise<T>): Promise<T> {
  pauseUntrustedOutput()
  return core.group(title, work)
}

type Level = 'warning' | 'notice'
const RECORDED_IN = { warning: 'warnings', notice: 'notices' } as const

/** An annotation that the job summary repeats: the one way to tell the user about their run. */
function annotateAndRecord(
  level: Level,
  report: RunReport,
  message: string,
  properties?: core.AnnotationProperties
): void {
  pauseUntrustedOutput()
  core[level](message, properties)
  report[RECORDED_IN[level]].push(message)
}

/** A warning annotation, repeated in the job summary. */
export function warn(report: RunReport, message: string, properties?: core.AnnotationProperties) {
  annotateAndRecord('warning', report, message, properties)
}

/** A notice annotation, repeated in the job summary. */
export function notify(report: RunReport, message: string, properties?: core.AnnotationProperties) {
  annotateAndRecord('notice', report, message, properties)
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
