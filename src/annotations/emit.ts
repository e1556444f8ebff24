import * as path from 'node:path'
import { ActionError, type Diagnostic } from '../report/diagnostic.js'
import { tell } from '../report/log.js'
import type { RequirementProblem } from '../pip/requirements.js'
import { byImportance, findingsFromProblems, type Finding } from './finding.js'

/** A finding as it is told: its file relative to the workspace, as annotations name files. */
function diagnosticOf(f: Finding, workspace: string): Diagnostic {
  return {
    severity: f.severity,
    title: f.title,
    message: f.message,
    ...(f.file === undefined ? {} : { file: path.relative(workspace, f.file), line: f.line })
  }
}

/** Tells findings, most important first: GitHub's cap of annotations keeps the first. */
export function annotate(findings: Finding[], workspace: string): void {
  for (const f of byImportance(findings)) tell(diagnosticOf(f, workspace))
}

/**
 * For a failure that ends the step: the most important finding becomes the error thrown, told
 * here first, within GitHub's cap, and the others after it.
 */
export function failure(findings: Finding[], workspace: string): ActionError {
  const [first, ...rest] = byImportance(findings)
  const { message, ...where } = diagnosticOf(first, workspace)
  const thrown = new ActionError(message, where)
  tell(thrown.diagnostic)
  thrown.told = true
  annotate(rest, workspace)
  return thrown
}

/** For problems pip would stop at in the requirements, found before it runs: the step ends here. */
export function requirementsFailure(
  problems: RequirementProblem[],
  workspace: string
): ActionError {
  return failure(findingsFromProblems(problems), workspace)
}
