import { errorMessage } from '../report/diagnostic.js'
import { tell } from '../report/log.js'

/**
 * How a bundle runs its step (src/bin/main.ts, post.ts). Two things a bare `await run()` lacks:
 *
 * - The process ends when the step's work is done, with its exit code. @actions/cache's clients
 *   can leave sockets and timers open, and Node would wait for them, holding the job up for minutes
 *   (actions/setup-node#878); actions/setup-python and setup-uv end with process.exit for this.
 * - A rejection nobody awaited, or an exception thrown from a callback, ends the step as one
 *   annotation, as every other failure does, instead of Node's stack trace.
 */
export async function runStep(step: string, run: () => Promise<void>): Promise<never> {
  const fail = (caught: unknown) => failUnexpectedly(step, caught)
  process.on('unhandledRejection', fail)
  process.on('uncaughtException', fail)
  await run()
  return process.exit(process.exitCode ?? 0)
}

/** One error annotation for what escaped the step (credentials masked), then exit 1. */
export function failUnexpectedly(step: string, caught: unknown): never {
  tell({ severity: 'error', message: `${step} failed unexpectedly: ${errorMessage(caught)}` })
  return process.exit(1)
}
