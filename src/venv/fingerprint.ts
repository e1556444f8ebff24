import { createHash } from 'node:crypto'
import type { PythonInstall } from '../python/probe.js'

/** Bumped whenever what the action puts in a venv, or how it caches it, changes. */
export const FORMAT_VERSION = '4'

/**
 * The part each file and group plays: the same files as requirements or as constraints, or
 * another choice of groups from the same pyproject.toml, make another venv.
 */
export interface InputRoles {
  requirements: string[]
  constraints: string[]
  /** As pip is given them: `--group NAME` arguments' values. */
  groups: string[]
}

/**
 * What pip reads besides the inputs' own words, read once (pip/read.ts): every file that decides
 * the venv with the digest of the bytes read, the `${VAR}` values pip fills into requirements
 * files, and the PIP_* settings that change the result.
 */
export interface InputDescription {
  /** File → SHA-256 of its bytes: requirements, includes, locks, groups, local projects, pip's configuration, cache-dependency-path. */
  files: Record<string, string>
  roles: InputRoles
  /** Name → value as pip sees it ('' when unset). */
  variables: Record<string, string>
  pipSettings: Record<string, string>
}

export interface FingerprintInputs {
  pythonExecutable: string
  pythonVersion: string
  implementation: string
  venvPath: string
  inputs: InputDescription
  packages: string[]
  upgrade: string[]
  pipArgs: string[]
}

/** What decides the venv's content: the inputs, the interpreter, and what pip reads (above). */
export function fingerprintInputs(
  config: {
    createVenv: boolean
    venvPath: string
    packages: string[]
    upgrade: string[]
    pipArgs: string[]
  },
  python: Pick<PythonInstall, 'executable' | 'versionText' | 'implementation'>,
  inputs: InputDescription
): FingerprintInputs {
  return {
    pythonExecutable: python.executable,
    pythonVersion: python.versionText,
    implementation: python.implementation,
    venvPath: config.createVenv ? config.venvPath : '',
    inputs,
    packages: config.packages,
    upgrade: config.upgrade,
    pipArgs: config.pipArgs
  }
}

/**
 * A digest of everything that decides a venv's content. Equal digests mean an equal venv, so it
 * is both the "nothing to do" check for a venv already present and the cache key's core.
 */
export function fingerprint(inputs: FingerprintInputs): string {
  const hash = createHash('sha256')
  const field = (name: string, value: string): void => {
    hash.update(`${name}\0${Buffer.byteLength(value)}\0`)
    hash.update(value)
  }
  field('format', FORMAT_VERSION)
  field('python', inputs.pythonExecutable)
  field('version', inputs.pythonVersion)
  field('implementation', inputs.implementation)
  field('venv', inputs.venvPath)
  for (const file of Object.keys(inputs.inputs.files).sort()) {
    field('file', file)
    field('content', inputs.inputs.files[file])
  }
  field('roles', JSON.stringify(inputs.inputs.roles))
  field('variables', JSON.stringify(sorted(inputs.inputs.variables)))
  field('pip-settings', JSON.stringify(sorted(inputs.inputs.pipSettings)))
  field('packages', JSON.stringify(inputs.packages))
  field('upgrade', JSON.stringify(inputs.upgrade))
  field('pip-args', JSON.stringify(inputs.pipArgs))
  return hash.digest('hex')
}

function sorted(record: Record<string, string>): Array<[string, string]> {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}
