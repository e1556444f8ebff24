/**
 * Python version specs as users write them (`3.12`, `3.11.7`, `3.x`, `>=3.10,<3.13`, `~=3.10`,
 * `3.13t`, `pypy3.10`, `3.14-dev`) and matching against the versions interpreters report.
 * Pure: no process calls, so every form is unit-tested.
 */

export type Implementation = 'cpython' | 'pypy'

export interface PythonVersion {
  major: number
  minor: number
  micro: number
  /** `final` for releases; `alpha`, `beta` or `candidate` otherwise, as sys.version_info says. */
  releaseLevel: string
  serial: number
}

export interface VersionSpec {
  /** The spec as the user wrote it, for messages. */
  text: string
  implementation: Implementation
  freeThreaded: boolean
  /** Whether alpha/beta/rc interpreters may match (`-dev` suffix or `allow-prereleases`). */
  allowPrereleases: boolean
  clauses: Clause[]
}

interface Clause {
  op: '' | '==' | '!=' | '>=' | '<=' | '>' | '<' | '~='
  parts: number[]
  wildcard: boolean
}

export class VersionSpecError extends Error {}

const CLAUSE = /^(==|!=|>=|<=|~=|>|<|=)?\s*v?(\d+(?:\.\d+){0,2})(\.[x*])?$/

export function parseVersionSpec(raw: string, allowPrereleases = false): VersionSpec {
  const text = raw.trim()
  let rest = text.toLowerCase()
  let implementation: Implementation = 'cpython'
  let freeThreaded = false
  let dev = false
  const pypy = /^pypy-?/.exec(rest)
  if (pypy) {
    implementation = 'pypy'
    rest = rest.slice(pypy[0].length)
  }
  if (rest.endsWith('-dev')) {
    dev = true
    rest = rest.slice(0, -'-dev'.length)
  }
  if (/^\d+(\.\d+)*t$/.test(rest)) {
    freeThreaded = true
    rest = rest.slice(0, -1)
  }
  const pieces = rest
    .split(/\s*,\s*|\s+(?=[<>=!~])/)
    .map(p => p.trim())
    .filter(p => p !== '')
  if (pieces.length === 0) throw new VersionSpecError(`"${raw}" is not a Python version spec`)
  const clauses = pieces.map(piece => {
    if (piece === 'x' || piece === '*') return { op: '' as const, parts: [], wildcard: true }
    const m = CLAUSE.exec(piece)
    if (!m) throw new VersionSpecError(`"${raw}" is not a Python version spec`)
    const op = (m[1] === '=' ? '==' : (m[1] ?? '')) as Clause['op']
    return { op, parts: m[2].split('.').map(Number), wildcard: m[3] !== undefined }
  })
  return { text, implementation, freeThreaded, allowPrereleases: allowPrereleases || dev, clauses }
}

function compareParts(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

const LEVEL_ORDER: Record<string, number> = { alpha: 0, beta: 1, candidate: 2, final: 3 }

/** Orders versions; a pre-release sorts before its final release. */
export function compareVersions(a: PythonVersion, b: PythonVersion): number {
  return (
    compareParts([a.major, a.minor, a.micro], [b.major, b.minor, b.micro]) ||
    (LEVEL_ORDER[a.releaseLevel] ?? 3) - (LEVEL_ORDER[b.releaseLevel] ?? 3) ||
    a.serial - b.serial
  )
}

function startsWith(version: number[], prefix: number[]): boolean {
  return prefix.every((p, i) => version[i] === p)
}

function clauseMatches(c: Clause, v: number[]): boolean {
  // A bare version names a series: `3.12` means any 3.12.x, `3.11.7` exactly that one.
  const equal = c.wildcard || c.op === '' ? startsWith(v, c.parts) : compareParts(v, c.parts) === 0
  switch (c.op) {
    case '':
    case '==':
      return equal
    case '!=':
      return !equal
    case '>=':
      return compareParts(v, c.parts) >= 0
    case '<=':
      return compareParts(v, c.parts) <= 0
    case '>':
      return compareParts(v, c.parts) > 0
    case '<':
      return compareParts(v, c.parts) < 0
    case '~=':
      return compareParts(v, c.parts) >= 0 && startsWith(v, c.parts.slice(0, -1))
  }
}

export function versionMatches(spec: VersionSpec, version: PythonVersion): boolean {
  if (version.releaseLevel !== 'final' && !spec.allowPrereleases) return false
  const parts = [version.major, version.minor, version.micro]
  return spec.clauses.every(c => clauseMatches(c, parts))
}

export function formatVersion(v: PythonVersion): string {
  const base = `${v.major}.${v.minor}.${v.micro}`
  const suffix: Record<string, string> = { alpha: 'a', beta: 'b', candidate: 'rc' }
  return v.releaseLevel in suffix ? `${base}${suffix[v.releaseLevel]}${v.serial}` : base
}

/** Parses `3.12.1`, `3.13.0rc2` or `3.14.0a1` as found in directory names (tool cache, pyenv). */
export function parseVersionString(text: string): PythonVersion | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:(a|b|rc)(\d+))?$/.exec(text.trim())
  if (!m) return undefined
  const levels: Record<string, string> = { a: 'alpha', b: 'beta', rc: 'candidate' }
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    micro: Number(m[3] ?? 0),
    releaseLevel: m[4] ? levels[m[4]] : 'final',
    serial: Number(m[5] ?? 0)
  }
}

/** `3.12` and `3.11` from a spec's clauses: the `python3.X` names worth looking for on PATH. */
export function minorsNamedBy(spec: VersionSpec): string[] {
  return spec.clauses
    .filter(c => (c.op === '' || c.op === '==') && c.parts.length >= 2)
    .map(c => `${c.parts[0]}.${c.parts[1]}`)
}
