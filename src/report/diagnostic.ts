import type { AnnotationProperties } from '@actions/core'

/**
 * A failure the user can act on. Its message is the whole annotation: what went wrong and how to
 * fix it. The entry points print it as one `::error` and never a stack trace.
 */
export class ActionError extends Error {
  constructor(
    message: string,
    readonly annotation: AnnotationProperties = {}
  ) {
    super(message)
    this.name = 'ActionError'
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
