import { moduleArgs } from '../python/launch.js'
import * as fs from 'node:fs'
import { ActionError } from '../report/diagnostic.js'
import { venvPython } from '../platform/os.js'
import { run } from '../platform/process.js'
import type { PythonInstall } from '../python/probe.js'

/** Creates a venv without ensurepip: pip comes with the first install (see install/install.ts). */
export async function createVenv(python: PythonInstall, venv: string): Promise<void> {
  const result = await run(python.executable, [
    ...moduleArgs(python, 'venv'),
    '--without-pip',
    venv
  ])
  if (result.exitCode !== 0) {
    throw new ActionError(
      `Creating the venv at ${venv} with ${python.executable} failed (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim()}`
    )
  }
  if (!fs.existsSync(venvPython(venv))) {
    throw new ActionError(
      `Creating the venv at ${venv} left no interpreter at ${venvPython(venv)}.`
    )
  }
}
