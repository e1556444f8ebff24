import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import type { Config } from '../action/inputs.js'
import type { PythonInstall } from '../python/probe.js'

/** Bumped whenever what the action puts in a venv, or how it caches it, changes. */
export const FORMAT_VERSION = '3'

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

export interface FingerprintInputs {
  pythonExecutable: string
  pythonVersion: string
  implementation: string
  venvPath: string
  /** Every requirements file, includes too, and the cache-dependency-path files. */
  files: string[]
  roles: InputRoles
  packages: string[]
  upgrade: string[]
  pipArgs: string[]
}

/**
 * What decides the venv's content: the inputs, the interpreter, every requirements file read
 * (includes too), the part each file and group plays, and the cache-dependency-path files.
 */
export function fingerprintInputs(
  config: Pick<
    Config,
    'createVenv' | 'venvPath' | 'packages' | 'upgrade' | 'pipArgs' | 'cacheDependencyFiles'
  >,
  python: Pick<PythonInstall, 'executable' | 'versionText' | 'implementation'>,
  requirements: { files: string[]; roles: InputRoles }
): FingerprintInputs {
  return {
    pythonExecutable: python.executable,
    pythonVersion: python.versionText,
    implementation: python.implementation,
    venvPath: config.createVenv ? config.venvPath : '',
    files: [...requirements.files, ...config.cacheDependencyFiles],
    roles: requirements.roles,
    packages: config.packages,
    upgrade: config.upgrade,
    pipArgs: config.pipArgs
  }
}

/**
 * A digest of everything that decides a venv's content. Equal digests mean an equal venv, so it
 * is both the "nothing to do" check for a venv already present and the cache key's core.
 */
export function fingerprint(
  inputs: FingerprintInputs,
  read = (f: string) => fs.readFileSync(f)
): string {
  const hash = createHash('sha256')
  const field = (name: string, value: string | Buffer): void => {
    hash.update(`${name}\0${value.length}\0`)
    hash.update(value)
  }
  field('format', FORMAT_VERSION)
  field('python', inputs.pythonExecutable)
  field('version', inputs.pythonVersion)
  field('implementation', inputs.implementation)
  field('venv', inputs.venvPath)
  for (const file of [...new Set(inputs.files)].sort()) {
    field('file', file)
    field('content', read(file))
  }
  field('roles', JSON.stringify(inputs.roles))
  field('packages', JSON.stringify(inputs.packages))
  field('upgrade', JSON.stringify(inputs.upgrade))
  field('pip-args', JSON.stringify(inputs.pipArgs))
  return hash.digest('hex')
}
