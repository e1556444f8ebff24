import * as core from '@actions/core'
import type { LaterStepsEnv } from '../platform/later-steps-env.js'

/** The one place that changes later steps' environment (GITHUB_ENV, GITHUB_PATH). */
export function exportToLaterSteps(env: LaterStepsEnv): void {
  for (const [name, value] of Object.entries(env.variables)) core.exportVariable(name, value)
  for (const dir of env.path) core.addPath(dir)
}
