import {
  currentOs,
  installationPaths,
  libraryPathEnv,
  pkgConfigDir,
  prependSearchPath,
  type OsName
} from '../platform/os.js'
import type { LaterStepsEnv } from '../platform/later-steps-env.js'

/**
 * What actions/setup-python exports for the interpreter it sets up, so that later steps building C
 * extensions (pkg-config, CMake's FindPython, the linker) find its headers and libraries. Unlike
 * setup-python, PKG_CONFIG_PATH keeps what it had after Python's entry, and only the
 * Python<major>_ROOT_DIR of the interpreter's own major version is set.
 */
export function locationVariables(
  prefix: string,
  major: number,
  env: NodeJS.ProcessEnv,
  os: OsName = currentOs()
): Record<string, string> {
  return {
    pythonLocation: prefix,
    Python_ROOT_DIR: prefix,
    [`Python${major}_ROOT_DIR`]: prefix,
    PKG_CONFIG_PATH: prependSearchPath(pkgConfigDir(prefix, os), env.PKG_CONFIG_PATH, os),
    ...libraryPathEnv(prefix, env.LD_LIBRARY_PATH, os)
  }
}

/**
 * The variables for a tool-cache interpreter and its bin on PATH, as a setup-python step before
 * venv-guard would export them. The main step activates the venv afterwards, so the venv's bin
 * stays first and the base's tools (python3-config, idle) remain reachable behind it.
 */
export function pythonLocationEnv(prefix: string, major: number): LaterStepsEnv {
  return {
    variables: locationVariables(prefix, major, process.env),
    path: installationPaths(prefix)
  }
}
