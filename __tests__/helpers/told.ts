import type { Severity } from '../../src/report/diagnostic.js'
import { toldSoFar } from '../../src/report/log.js'

/** The messages told (src/report/log.ts) with one severity, in order. */
export function told(severity: Severity): string[] {
  return toldSoFar()
    .filter(t => t.severity === severity)
    .map(t => t.message)
}
