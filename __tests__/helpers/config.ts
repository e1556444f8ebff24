import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { readConfig, type Config } from '../../src/action/inputs.js'
import { inputDefaults } from '../../scripts/runner.mjs'

/**
 * The Config readConfig makes from action.yml's defaults alone, read once in an empty workspace:
 * a default changed in action.yml changes every test's config with it.
 */
async function defaultConfig(): Promise<Config> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-defaults-'))
  const saved = process.env.GITHUB_WORKSPACE
  process.env.GITHUB_WORKSPACE = workspace
  try {
    const defaults = inputDefaults()
    return await readConfig(name => defaults[name] ?? '')
  } finally {
    if (saved === undefined) delete process.env.GITHUB_WORKSPACE
    else process.env.GITHUB_WORKSPACE = saved
    fs.rmSync(workspace, { recursive: true, force: true })
  }
}

const DEFAULTS = await defaultConfig()
const DEFAULT_VENV = path.relative(DEFAULTS.workingDirectory, DEFAULTS.venvPath)

/**
 * A Config as readConfig makes it from action.yml's defaults, in a workspace at `workspace`
 * (default /workspace), with the fields a test cares about overridden. Paths derive from the
 * workspace and working directory unless given.
 */
export function makeConfig(overrides: Partial<Config> = {}): Config {
  const workspace = overrides.workspace ?? '/workspace'
  const workingDirectory = overrides.workingDirectory ?? workspace
  return {
    ...DEFAULTS,
    workspace,
    workingDirectory,
    venvPath: path.join(workingDirectory, DEFAULT_VENV),
    ...overrides
  }
}
