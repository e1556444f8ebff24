/** What a run did, gathered as it goes, for the job summary and the log. */
export interface RunReport {
  python?: { executable: string; version: string; implementation: string; foundBy: string }
  venv?: { path: string; action: string; reason: string }
  /** pip/setuptools/wheel versions before and after the install. */
  versionsBefore: Record<string, string>
  versionsAfter: Record<string, string>
  /** Distributions pip installed, with the requirement line that asked for them when known. */
  installed: InstalledPackage[]
  phases: Phase[]
  errors: string[]
  warnings: string[]
  notices: string[]
}

export interface InstalledPackage {
  name: string
  version: string
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
    phases: [],
    errors: [],
    warnings: [],
    notices: []
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
