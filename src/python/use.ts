import type { Config } from '../action/inputs.js'
import { Outputs, setOutput } from '../action/outputs.js'
import type { RunReport } from '../action/report.js'
import { findPython } from './find.js'
import { exportPythonLocation } from './location.js'
import type { PythonInstall } from './probe.js'
import { info } from '../action/log.js'

/**
 * The base interpreter for this run, found (or set up) as the inputs ask, said in the log, the
 * summary and the outputs; one from the tool cache is exported as setup-python would.
 */
export async function findBasePython(config: Config, report: RunReport): Promise<PythonInstall> {
  // Where the version came from, first: a .python-version read by default can surprise.
  if (config.pythonVersion)
    info(`Python "${config.pythonVersion}", from ${config.pythonVersionSource}`)
  const python = await findPython(config)
  info(
    `Python ${python.versionText} (${python.implementation}) at ${python.executable}, found by ${python.foundBy}`
  )
  report.python = {
    executable: python.executable,
    version: python.versionText,
    implementation: python.implementation,
    foundBy: python.foundBy
  }
  if (python.location) exportPythonLocation(python.location, python.version.major)
  setOutput(Outputs.PythonVersion, python.versionText)
  setOutput(Outputs.BasePythonPath, python.executable)
  return python
}
