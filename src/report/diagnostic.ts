/** How much a diagnostic matters: an error fails the step, a warning or notice does not. */
export type Severity = 'error' | 'warning' | 'notice'

/**
 * Something the user should read, the one value every module tells or throws: what happened and
 * how to fix it, what kind of problem it is (the annotation's title) and where, when it belongs to
 * a line of a file. `tell` (log.ts) turns it into the annotation, the log line and the summary row.
 */
export interface Diagnostic {
  severity: Severity
  message: string
  /** The kind of problem, as the annotation's title: `venv-guard: pip too old`. */
  title?: string
  /** The file it is about, relative to the workspace, and its line. */
  file?: string
  line?: number
}

/** Where a diagnostic belongs: its title and place. */
export type Where = Pick<Diagnostic, 'title' | 'file' | 'line'>

/**
 * A failure the user can act on, thrown: its diagnostic is the whole annotation, what went wrong
 * and how to fix it. The main step tells it once, never with a stack trace.
 */
export class ActionError extends Error {
  readonly diagnostic: Diagnostic
  /** Told already, where it arose (annotations/emit.ts orders it among others): not told again. */
  told = false

  constructor(message: string, where: Where = {}) {
    super(message)
    this.name = 'ActionError'
    this.diagnostic = { severity: 'error', message, ...where }
  }
}

/** A wrong input value: names the input, the value and the fix. */
export function inputError(input: string, value: string, fix: string): ActionError {
  return new ActionError(`Input '${input}' has the value "${value}": ${fix}`, {
    title: `venv-guard: invalid input '${input}'`
  })
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
