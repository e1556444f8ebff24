import * as path from 'node:path'
import type { Config } from '../../src/action/inputs.js'

/**
 * A Config as readConfig makes it from action.yml's defaults, in a workspace at `workspace`
 * (default /workspace), with the fields a test cares about overridden. Paths derive from the
 * workspace and working directory unless given.
 */
export function makeConfig(overrides: Partial<Config> = {}): Config {
  const workspace = overrides.workspace ?? '/workspace'
  const workingDirectory = overrides.workingDirectory ?? workspace
  return {
    workspace,
    workingDirectory,
    pythonVersion: '',
    pythonVersionSource: "input 'python-version'",
    pythonPath: '',
    allowPrereleases: false,
    checkLatest: false,
    pythonManifestUrl: '',
    pypyManifestUrl: '',
    token: '',
    venvPath: path.join(workingDirectory, '.venv'),
    createVenv: true,
    requirementFiles: [],
    dependencyGroups: [],
    constraintFiles: [],
    packages: [],
    upgrade: ['pip', 'setuptools', 'wheel'],
    pipArgs: [],
    activate: true,
    onUserSite: 'fail',
    guardLaterSteps: true,
    cache: 'auto',
    cacheSave: true,
    cacheDependencyFiles: [],
    cacheDir: '',
    ...overrides
  }
}
