import * as core from '@actions/core'
import type { RunReport } from './report.js'

type Level = 'warning' | 'notice'
const RECORDED_IN = { warning: 'warnings', notice: 'notices' } as const

/** An annotation that the job summary repeats: the one way to tell the user about their run. */
function annotateAndRecord(
  level: Level,
  report: RunReport,
  message: string,
  properties?: core.AnnotationProperties
): void {
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
