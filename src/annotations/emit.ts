import * as core from '@actions/core'
import * as path from 'node:path'
import { ActionError } from '../action/errors.js'
import type { ReportedAnnotation, RunReport } from '../action/report.js'
import { maskUrlCredentials } from '../action/secrets.js'
import { ANNOTATION_CAP, byImportance, type Finding } from './finding.js'
import { error, warning } from '../action/log.js'

function toReported(f: Finding, workspace: string, shown: boolean): ReportedAnnotation {
  return {
    level: f.level,
    title: f.title,
    message: maskUrlCredentials(f.message),
    file: f.file === undefined ? undefined : path.relative(workspace, f.file),
    line: f.line,
    shown
  }
}

function properties(a: ReportedAnnotation): core.AnnotationProperties {
  return { title: a.title, ...(a.file === undefined ? {} : { file: a.file, startLine: a.line }) }
}

/**
 * Emits findings as annotations, most important first, as long as GitHub shows them (10 of a type
 * per step, counting those this run emitted before); all of them go into the report, for the summary.
 */
export function annotate(findings: Finding[], workspace: string, report: RunReport): void {
  // Counted once, not per finding: 200,000 invalid lines stay linear.
  const shownBefore = { error: 0, warning: 0 }
  for (const a of report.annotations) if (a.shown) shownBefore[a.level]++
  for (const f of byImportance(findings)) {
    const shown = shownBefore[f.level] < ANNOTATION_CAP
    if (shown) shownBefore[f.level]++
    const reported = toReported(f, workspace, shown)
    report.annotations.push(reported)
    if (!shown) continue
    if (f.level === 'error') error(reported.message, properties(reported))
    else warning(reported.message, properties(reported))
  }
}

/**
 * For a failure that ends the step: the most important finding becomes the error thrown (the
 * entry point annotates it), the others are annotated here, within the cap that it counts in.
 */
export function failure(findings: Finding[], workspace: string, report: RunReport): ActionError {
  const [first, ...rest] = byImportance(findings)
  const thrown = toReported(first, workspace, true)
  report.annotations.push(thrown)
  annotate(rest, workspace, report)
  return new ActionError(thrown.message, properties(thrown))
}
