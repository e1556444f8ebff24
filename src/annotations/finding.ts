import type { Diagnostic } from '../report/diagnostic.js'
import type { RequirementProblem } from '../pip/requirements.js'

/** A finding: what went wrong, how it is titled, and the line it is annotated on. */

/** In order of importance: what the user must fix first comes first. */
const KINDS = [
  'invalid-requirement',
  'missing-file',
  'conflict',
  'hash',
  'not-found',
  'fetch',
  'clone',
  'build',
  'pip',
  'broken-dependency'
] as const
export type FindingKind = (typeof KINDS)[number]

/**
 * A diagnostic about pip's failure, with its kind (which orders findings by importance). Its file
 * is absolute until emit.ts tells it, relative to the workspace.
 */
export interface Finding extends Diagnostic {
  severity: 'error' | 'warning'
  kind: FindingKind
  title: string
}

const TITLES: Record<FindingKind, string> = {
  'invalid-requirement': 'venv-guard: invalid requirement',
  'missing-file': 'venv-guard: missing requirements file',
  conflict: 'venv-guard: dependency conflict',
  hash: 'venv-guard: hash check failed',
  'not-found': 'venv-guard: no matching distribution',
  fetch: 'venv-guard: download failed',
  clone: 'venv-guard: clone failed',
  build: 'venv-guard: build failed',
  pip: 'venv-guard: pip install failed',
  'broken-dependency': 'venv-guard: broken dependency'
}

/** Where a finding points: a requirements or lock file and its line. */
export interface Located {
  file: string
  line: number
}

export function finding(kind: FindingKind, message: string, entry?: Located): Finding {
  const severity = kind === 'broken-dependency' ? 'warning' : 'error'
  return { severity, kind, title: TITLES[kind], message, ...entry }
}

/** The parser's problems (before pip runs) as findings, on the line pip would complain about. */
export function findingsFromProblems(problems: RequirementProblem[]): Finding[] {
  return problems.map(({ kind, file, line, message }) => finding(kind, message, { file, line }))
}

/** Most important first (see KINDS). */
export function byImportance(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind))
}
