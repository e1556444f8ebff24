import type { RunReport } from '../report/run-report.js'
import { findPython } from './find.js'
import type { PythonInstall } from './probe.js'
import type { PythonRequest } from './request.js'
import { info } from '../report/log.js'

/**
 * The base interpreter for this run, found (or set up) as the inputs ask, said in the log and the
 * summary. The main step sets the outputs and exports a tool-cache interpreter's location.
 */
export async function findBasePython(
  request: PythonRequest,
  report: RunReport
): Promise<PythonInstall> {
  // Where the version came from, first: a .python-version read by default can surprise.
  if (request.pythonVersion)
    info(`Python "${request.pythonVersion}", from ${request.pythonVersionSource}`)
  const python = await findPython(request)
  info(
    `Python ${python.versionText} (${python.implementation}) at ${python.executable}, found by ${python.foundBy}`
  )
  report.python = {
    executable: python.executable,
    version: python.versionText,
    implementation: python.implementation,
    foundBy: python.foundBy
  }
  return python
}
