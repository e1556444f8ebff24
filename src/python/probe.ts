import { warn } from '../report/log.js'
import { PROBE_TIMEOUT_MS } from '../platform/process.js'
import { helperResult, runHelper } from '../platform/python-helper.js'
import {
  formatVersion,
  pypyVersionMatches,
  versionMatches,
  type PythonVersion,
  type VersionSpec
} from './version-spec.js'

/** What the interpreter says of itself. */
export interface PythonFacts {
  executable: string
  version: PythonVersion
  implementation: string
  /** `sys.implementation.version`: PyPy's own version (7.3.12); for CPython the same as version. */
  implementationVersion: PythonVersion
  prefix: string
  basePrefix: string
  freeThreaded: boolean
  stdlib: string
  purelib: string
  platlib: string
  /** pip importable by this interpreter (its version and package directory), found without importing it. */
  pip: { version: string; location: string } | null
  /** PEP 508's marker environment (`python_version`, `sys_platform`, ...): which requirement lines pip takes. */
  markers: Record<string, string>
}

export interface PythonInstall extends PythonFacts {
  /** Full version as text, e.g. `3.12.1`. */
  versionText: string
  /** How it was found, for the log and the summary. */
  foundBy: string
  /** The installation's root when it lives in the tool cache: the variables setup-python exports point there. */
  location?: string
}

/** A way to start an interpreter, and where it came from. */
export interface Candidate {
  command: string
  args: string[]
  foundBy: string
  /** The version its location names (tool cache and pyenv directories), used to skip probing. */
  hint?: PythonVersion
  /** Variables it needs to start: tool-cache builds are linked against the lib/ beside them. */
  env?: Record<string, string>
  location?: string
}

type VersionInfo = [number, number, number, string, number]

function fromVersionInfo([major, minor, micro, releaseLevel, serial]: VersionInfo): PythonVersion {
  return { major, minor, micro, releaseLevel, serial }
}

type RawFacts = Omit<PythonFacts, 'version' | 'implementationVersion'> & {
  version: VersionInfo
  implementationVersion: VersionInfo
}

function factsOf(raw: RawFacts): PythonFacts {
  return {
    ...raw,
    version: fromVersionInfo(raw.version),
    implementationVersion: fromVersionInfo(raw.implementationVersion)
  }
}

/** What interpreter_probe.py printed, read as the probe does. */
export function parseProbe(stdout: string): PythonFacts {
  const raw = helperResult<RawFacts>(stdout)
  if (!raw) throw new Error(`no answer from interpreter_probe.py in: ${stdout.slice(0, 200)}`)
  return factsOf(raw)
}

/** Interpreters that did not answer: probed once, warned about once. */
const silent = new Set<string>()

export async function probePython(candidate: Candidate): Promise<PythonInstall | undefined> {
  const key = [candidate.command, ...candidate.args].join(' ')
  if (silent.has(key)) return undefined
  // interpreter_probe.py, shipped beside the bundle: one short run answers everything.
  const result = await runHelper<RawFacts>(
    [candidate.command, ...candidate.args],
    import.meta.url,
    'interpreter_probe.py',
    [],
    { flags: ['-I'], env: candidate.env }
  )
  if (!result.ok) {
    if (result.timedOut) {
      silent.add(key)
      warn(
        `${key} (${candidate.foundBy}) did not answer within ${PROBE_TIMEOUT_MS / 1000} s, so venv-guard skipped it. Fix or remove that interpreter, or name the one to use with python-path.`,
        { title: 'venv-guard: an interpreter does not answer' }
      )
    }
    return undefined
  }
  const facts = factsOf(result.value)
  return {
    ...facts,
    versionText: formatVersion(facts.version),
    foundBy: candidate.foundBy,
    location: candidate.location
  }
}

/** Whether an interpreter is what a version spec asks for. */
export function satisfies(spec: VersionSpec, install: PythonInstall): boolean {
  return (
    install.implementation === spec.implementation &&
    install.freeThreaded === spec.freeThreaded &&
    versionMatches(spec, install.version) &&
    pypyVersionMatches(spec, install.implementationVersion)
  )
}
