import type { RunReport } from '../report/run-report.js'
import { findPython } from './find.js'
import type { PythonInstall } from './probe.js'
import type { PythonRequest } from './request.js'
import { formatVersion } from './version-spec.js'
import { info } from '../report/log.js'

/** The version as the outputs name it: `3.12.1`, or setup-python's `pypy3.10.14-7.3.17` for PyPy. */
export function versionName(python: PythonInstall): string {
  if (python.implementation !== 'pypy') return python.versionText
  return `pypy${python.versionText}-${formatVersion(python.implementationVersion)}`
}

/** `Python 3.12.1 (cpython)`, `PyPy 7.3.17 (Python 3.10.14)`: how the log names an interpreter. */
export function interpreterName(python: PythonInstall): string {
  if (python.implementation === 'pypy') {
    return `PyPy ${formatVersion(python.implementationVersion)} (Python ${python.versionText})`
  }
  return `Python ${python.versionText} (${python.implementation})`
}

/**
 * The base interpreter for this run, found (or set up) as the inputs ask, said in the log and the
 * summary. The main step sets the outputs and exports a tool-cache interpreter's location.
 */
export async function findBasePython(
  request: PythonRequest,
  report: RunReport
): Promise<PythonInstall> {
  // Where the version came from, first: a .python-version read by default can surprise.
  if (request.pythonVersion) {
    const kind = /^pypy/i.test(request.pythonVersion.trim()) ? 'PyPy' : 'Python'
    info(`${kind} "${request.pythonVersion}", from ${request.pythonVersionSource}`)
  }
  const python = await findPython(request)
  info(`${interpreterName(python)} at ${python.executable}, found by ${python.foundBy}`)
  report.python = {
    executable: python.executable,
    version: versionName(python),
    implementation: python.implementation,
    foundBy: python.foundBy
  }
  return python
}
