import { versionAtLeast } from './run.js'

/**
 * What a newer pip is needed for, and the check that it will be there before pip runs: an old
 * pip fails on these late and obscurely (`no such option: --group`; a lock file read as a
 * requirements file, "Invalid requirement: 'lock-version = ...'").
 */
export type PipFeature = 'dependency-groups' | 'pylock'

/** The pip each feature needs, and the oldest Python that pip runs on (its Requires-Python). */
export const FEATURE_PIP: Record<PipFeature, { pip: string; python: string; label: string }> = {
  'dependency-groups': {
    pip: '25.1',
    python: '3.9',
    label: 'dependency-groups (pip install --group)'
  },
  pylock: {
    pip: '26.1',
    python: '3.10',
    label: 'a pylock.toml lock file (pip install -r pylock.toml)'
  }
}

/** Which pip will install the requirements, as far as it is known before anything runs. */
export type InstallingPip =
  /** `upgrade` names pip: its version range (empty: the newest pip the index has). */
  | { upgrade: string }
  /** `upgrade` does not name pip: the target's own pip (`where`: "the venv's pip"), of this version. */
  | { own: string; where: string }

/** The version after `version` at one of its parts (1.4.2 at part 1 -> 1.5). */
function bump(version: string, part: number): string {
  const parts = version
    .split('.')
    .map(Number)
    .slice(0, Math.max(part, 0) + 1)
  parts[parts.length - 1] += 1
  return parts.join('.')
}

/**
 * Whether a pip version range can still give `minimum` or newer: false only when an upper bound
 * (==, ===, <=, <, ~=, or a wheel's version) keeps every allowed version below it.
 */
export function rangeAllows(range: string, minimum: string): boolean {
  return range.split(',').every(clause => {
    const m = /^\s*(===|==|<=|<|~=)\s*(\d+(?:\.\d+)*)(\.\*)?/.exec(clause)
    if (!m) return true
    const [, op, version, wildcard] = m
    const parts = version.split('.').length
    if (op === '<') return !versionAtLeast(minimum, version)
    if (op === '~=') return !versionAtLeast(minimum, bump(version, parts - 2))
    if (wildcard) return !versionAtLeast(minimum, bump(version, parts - 1))
    return versionAtLeast(version, minimum)
  })
}

/** The version range an `upgrade` word gives pip (`pip==24.2` -> `==24.2`), if it names pip. */
export function pipRangeOf(word: string): string | undefined {
  const wheel = /(?:^|[\\/])pip-(\d[^-]*)-[^/\\]*\.whl$/i.exec(word)
  if (wheel) return `==${wheel[1]}`
  const named = /^pip\s*(?:\[[^\]]*\])?\s*(.*?)\s*(?:;.*)?$/i.exec(word)
  return named && /^(|[=<>!~].*)$/.test(named[1]) ? named[1] : undefined
}

/**
 * One line saying which feature needs which pip and how to get it, when the pip that will
 * install cannot have it; undefined when it can (or may: an unpinned upgrade).
 */
export function pipTooOld(features: PipFeature[], pip: InstallingPip): string | undefined {
  const failing = neediest(features, needs =>
    'upgrade' in pip ? rangeAllows(pip.upgrade, needs) : versionAtLeast(pip.own, needs)
  )
  if (!failing) return undefined
  const { pip: version, label } = FEATURE_PIP[failing]
  if ('upgrade' in pip) {
    return `${label} needs pip ${version} or newer, and upgrade allows only pip${pip.upgrade}: raise the pin to pip>=${version} in upgrade, or remove it.`
  }
  return `${label} needs pip ${version} or newer, and ${pip.where} is ${pip.own} with no pip in upgrade: add pip to upgrade (the default 'pip setuptools wheel' brings the newest).`
}

/** The feature needing the newest pip among those `has` cannot serve. */
function neediest(
  features: PipFeature[],
  has: (pipNeeded: string) => boolean
): PipFeature | undefined {
  return [...new Set(features)]
    .sort((a, b) => (versionAtLeast(FEATURE_PIP[a].pip, FEATURE_PIP[b].pip) ? -1 : 1))
    .find(f => !has(FEATURE_PIP[f].pip))
}

/**
 * After the upgrade, the pip it left when that is still too old: the newest pip an index offers an
 * interpreter can be (pip 26 runs on Python 3.10 and newer). One line, before the requirements run.
 */
export function upgradedPipTooOld(
  features: PipFeature[],
  pipVersion: string,
  pythonVersion: string
): string | undefined {
  const failing = neediest(features, needs => versionAtLeast(pipVersion, needs))
  if (!failing) return undefined
  const { pip: version, python, label } = FEATURE_PIP[failing]
  const fix = versionAtLeast(pythonVersion, python)
    ? `the index has no newer pip: make pip ${version} or newer available to it`
    : `pip ${version} runs on Python ${python} or newer: use python-version ${python} or newer`
  return `${label} needs pip ${version} or newer, and the upgrade brought pip ${pipVersion} to Python ${pythonVersion}; ${fix}.`
}
