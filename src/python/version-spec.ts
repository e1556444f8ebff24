/**
 * Python version specs as users write them (`3.12`, `3.11.7`, `3.x`, `>=3.10,<3.13`, `~=3.10`,
 * `3.13t`, `pypy3.10`, `pypy3.10-7.3.12`, `3.14-dev`, `3.14.0b1`) and matching against the versions
 * interpreters report. Pure: no process calls, so every form is unit-tested.
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
  /**
   * Whether alpha/beta/rc interpreters may match: `allow-prereleases`, a `-dev` suffix, or a
   * pre-release named in the spec (`3.14.0b1`).
   */
  allowPrereleases: boolean
  clauses: Clause[]
  /** PyPy's own version (`7.3.12` in `pypy3.10-7.3.12`); empty matches any. */
  pypyClauses: Clause[]
}

interface Clause {
  op: '' | '==' | '!=' | '>=' | '<=' | '>' | '<' | '~='
  parts: number[]
  wildcard: boolean
  /** A pre-release named exactly (`3.14.0b1`, `3.14.0-beta.1`): compared as a whole version. */
  pre?: { releaseLevel: string; serial: number }
}

export class VersionSpecError extends Error {}

// `a`/`b`/`rc` as Python spells pre-releases, `alpha`/`beta` as the python-versions manifest does.
const PRE = String.raw`-?(a|b|rc|alpha|beta)\.?(\d+)`
const CLAUSE = new RegExp(
  String.raw`^(==|!=|>=|<=|~=|>|<|=)?\s*v?(\d+(?:\.\d+){0,2})(?:(\.[x*])|${PRE})?$`
)
const LEVELS: Record<string, string> = {
  a: 'alpha',
  alpha: 'alpha',
  b: 'beta',
  beta: 'beta',
  rc: 'candidate'
}

function parseClauses(raw: string, text: string): Clause[] {
  const pieces = text
    .split(/\s*,\s*|\s+(?=[<>=!~])/)
    .map(p => p.trim())
    .filter(p => p !== '')
  if (pieces.length === 0) throw new VersionSpecError(`"${raw}" is not a Python version spec`)
  return pieces.map(piece => {
    if (piece === 'x' || piece === '*') return { op: '' as const, parts: [], wildcard: true }
    const m = CLAUSE.exec(piece)
    if (!m) throw new VersionSpecError(`"${raw}" is not a Python version spec`)
    const op = (m[1] === '=' ? '==' : (m[1] ?? '')) as Clause['op']
    const clause: Clause = { op, parts: m[2].split('.').map(Number), wildcard: m[3] !== undefined }
    if (m[4]) clause.pre = { releaseLevel: LEVELS[m[4]], serial: Number(m[5]) }
    return clause
  })
}

export function parseVersionSpec(raw: string, allowPrereleases = false): VersionSpec {
  const text = raw.trim()
  let rest = text.toLowerCase()
  let implementation: Implementation = 'cpython'
  let freeThreaded = false
  let dev = false
  let pypyClauses: Clause[] = []
  const pypy = /^pypy-?/.exec(rest)
  if (pypy) {
    implementation = 'pypy'
    rest = rest.slice(pypy[0].length)
    // pyenv's `pypy3.10-7.3.12` and setup-python's `pypy-3.10-v7.3.x` name PyPy's own version last.
    const own = /^([^-]+)-(v?\d[\w.*]*)$/.exec(rest)
    if (own) {
      rest = own[1]
      pypyClauses = parseClauses(raw, own[2])
    }
  }
  if (rest.endsWith('-dev')) {
    dev = true
    rest = rest.slice(0, -'-dev'.length)
  }
  if (/^\d+(\.\d+)*t$/.test(rest)) {
    freeThreaded = true
    rest = rest.slice(0, -1)
  }
  const clauses = parseClauses(raw, rest)
  const namesPre = [...clauses, ...pypyClauses].some(c => c.pre !== undefined)
  return {
    text,
    implementation,
    freeThreaded,
    allowPrereleases: allowPrereleases || dev || namesPre,
    clauses,
    pypyClauses
  }
}

/** Orders dotted release numbers; a missing part is 0 (3.12 == 3.12.0). */
export function compareParts(a: number[], b: number[]): number {
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

function clauseMatches(c: Clause, version: PythonVersion): boolean {
  const v = [version.major, version.minor, version.micro]
  // Without a named pre-release, `3.13.0rc1` counts as 3.13.0, so `>=3.13` admits it when
  // pre-releases are allowed at all (what `3.13` with allow-prereleases asks for).
  const cmp = c.pre
    ? compareVersions(version, {
        major: c.parts[0],
        minor: c.parts[1] ?? 0,
        micro: c.parts[2] ?? 0,
        ...c.pre
      })
    : compareParts(v, c.parts)
  // A bare version names a series: `3.12` means any 3.12.x, `3.11.7` exactly that one.
  const equal = !c.pre && (c.wildcard || c.op === '') ? startsWith(v, c.parts) : cmp === 0
  switch (c.op) {
    case '':
    case '==':
      return equal
    case '!=':
      return !equal
    case '>=':
      return cmp >= 0
    case '<=':
      return cmp <= 0
    case '>':
      return cmp > 0
    case '<':
      return cmp < 0
    case '~=':
      return cmp >= 0 && startsWith(v, c.parts.slice(0, -1))
  }
}

export function versionMatches(spec: VersionSpec, version: PythonVersion): boolean {
  if (version.releaseLevel !== 'final' && !spec.allowPrereleases) return false
  return spec.clauses.every(c => clauseMatches(c, version))
}

/** Whether PyPy's own version (`sys.implementation.version`) satisfies `pypy3.10-7.3.12`. */
export function pypyVersionMatches(spec: VersionSpec, pypyVersion: PythonVersion): boolean {
  return spec.pypyClauses.every(c => clauseMatches(c, pypyVersion))
}

export function formatVersion(v: PythonVersion): string {
  const base = `${v.major}.${v.minor}.${v.micro}`
  const suffix: Record<string, string> = { alpha: 'a', beta: 'b', candidate: 'rc' }
  return v.releaseLevel in suffix ? `${base}${suffix[v.releaseLevel]}${v.serial}` : base
}

const VERSION_STRING = new RegExp(String.raw`^(\d+)\.(\d+)(?:\.(\d+))?(?:${PRE})?$`)

/**
 * Parses a version as Python spells it (`3.12.1`, `3.13.0rc2`, `3.14.0a1`: pyenv directories) or as
 * the python-versions manifest and the tool cache do (`3.13.0-rc.2`, `3.14.0-alpha.1`).
 */
export function parseVersionString(text: string): PythonVersion | undefined {
  const m = VERSION_STRING.exec(text.trim())
  if (!m) return undefined
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    micro: Number(m[3] ?? 0),
    releaseLevel: m[4] ? LEVELS[m[4]] : 'final',
    serial: Number(m[5] ?? 0)
  }
}

/** `3.12` and `3.11` from a spec's clauses: the `python3.X` names worth looking for on PATH. */
export function minorsNamedBy(spec: VersionSpec): string[] {
  return spec.clauses
    .filter(c => (c.op === '' || c.op === '==') && c.parts.length >= 2)
    .map(c => `${c.parts[0]}.${c.parts[1]}`)
}

/**
 * Whether every version the spec admits is older than `major`.0: one clause bounds it from above
 * (`2.5`, `2.x`, `~=2.7`, `<3`, `<=2.7.18`, `==2.7.*`). Pure reasoning on the spec, no list needed.
 */
export function onlyBefore(spec: VersionSpec, major: number): boolean {
  return spec.clauses.some(c => {
    if (c.parts.length === 0) return false
    if (c.op === '' || c.op === '==' || c.op === '~=') return c.parts[0] < major
    if (c.op === '<') return compareParts(c.parts, [major]) <= 0
    if (c.op === '<=') return compareParts(c.parts, [major]) < 0
    return false
  })
}
