import type { Config } from '../action/inputs.js'
import { Outputs, setOutput } from '../action/outputs.js'
import type { RunReport } from '../action/report.js'
import { findPython } from './find.js'
import { exportPythonLocation } from './location.js'
import type { PythonInstall } from './probe.js'
import { formatVersion } from './version-spec.js'
import { info } from '../action/log.js'

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
 * The base interpreter for this run, found (or set up) as the inputs ask, said in the log, the
 * summary and the outputs; one from the tool cache is exported as setup-python would.
 */
export async function findBasePython(config: Config, report: RunReport): Promise<PythonInstall> {
  // Where the version came from, first: a .python-version read by default can surprise.
  if (config.pythonVersion) {
    const kind = /^pypy/i.test(config.pythonVersion.trim()) ? 'PyPy' : 'Python'
    info(`${kind} "${config.pythonVersion}", from ${config.pythonVersionSource}`)
  }
  const python = await findPython(config)
  info(`${interpreterName(python)} at ${python.executable}, found by ${python.foundBy}`)
  report.python = {
    executable: python.executable,
    version: versionName(python),
    implementation: python.implementation,
    foundBy: python.foundBy
  }
  if (python.location) exportPythonLocation(python.location, python.version.major)
  setOutput(Outputs.PythonVersion, versionName(python))
  setOutput(Outputs.BasePythonPath, python.executable)
  return python
}
