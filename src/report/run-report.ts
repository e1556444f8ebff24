/** What a run did, gathered as it goes, for the job summary and the log. */
export interface RunReport {
  python?: { executable: string; version: string; implementation: string; foundBy: string }
  /** action: new, rebuilt, reused, reused (up to date), restored (from the cache). */
  venv?: { path: string; action: string; reason: string }
  /** The dependency groups, lock files and constraint files that went in, as the user names them. */
  sources?: { groups: string[]; lockFiles: string[]; constraintFiles: string[] }
  /** The user-site guard's verdict, when the guard ran. */
  guard?: { verdict: string; reason: string }
  /** pip/setuptools/wheel versions before and after the install. */
  versionsBefore: Record<string, string>
  versionsAfter: Record<string, string>
  /** Distributions pip installed, with the requirement line that asked for them when known. */
  installed: InstalledPackage[]
  phases: Phase[]
}

export interface InstalledPackage {
  name: string
  version: string
  /** `file:line` of the requirement, `upgrade`, `requested`, or `via <package>` for a dependency. */
  requestedBy?: string
}

export interface Phase {
  name: string
  seconds: number
}

export function newReport(): RunReport {
  return {
    versionsBefore: {},
    versionsAfter: {},
    installed: [],
    phases: []
  }
}

/** Runs one phase of the action and records how long it took. */
export async function timed<T>(
  report: RunReport,
  name: string,
  work: () => Promise<T>
): Promise<T> {
  const start = performance.now()
  try {
    return await work()
  } finally {
    report.phases.push({ name, seconds: (performance.now() - start) / 1000 })
  }
}
