import * as core from '@actions/core'
import * as path from 'node:path'
import type { Config } from '../action/inputs.js'
import type { RunReport } from '../action/report.js'
import { maskUrlCredentials } from '../action/secrets.js'
import { failure } from '../annotations/emit.js'
import { findingsFromProblems } from '../annotations/findings.js'
import {
  movingRequirements,
  parseRequirementFiles,
  type ParsedRequirements
} from './requirements.js'

/**
 * The requirements files, read as pip reads them, before pip runs: credentials in their URLs are
 * masked, and a problem pip would stop at ends the step here, annotated on its line.
 */
export function readRequirements(config: Config, report: RunReport): ParsedRequirements {
  const parsed = parseRequirementFiles(config.requirementFiles)
  for (const url of parsed.urls) maskUrlCredentials(url)
  for (const file of parsed.files) {
    const relative = path.relative(config.workspace, file)
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      core.notice(`The requirements include ${file}, which is outside the workspace.`)
    }
  }
  if (parsed.problems.length > 0) {
    throw failure(findingsFromProblems(parsed.problems), config.workspace, report)
  }
  return parsed
}

/**
 * The requirements that can change while the inputs stay the same (local projects, unpinned VCS
 * URLs), said in the log: they are installed on every run, and the venv is not cached.
 */
export function movingRequirementsOf(parsed: ParsedRequirements, packages: string[]): string[] {
  const moving = movingRequirements(parsed, packages)
  if (moving.length > 0) {
    core.info(
      `${moving.join(', ')} can change while the inputs stay the same: they are installed on every run, and the venv is not cached.`
    )
  }
  return moving
}
