import * as path from 'node:path'
import { pipConfigFiles } from '../platform/os.js'
import { pathKind } from './local-source.js'

/**
 * What pip reads besides its arguments that changes what it installs: PIP_* variables and its
 * configuration files (and the constraint and requirement files they name). They belong in the
 * venv's description: an index, a constraint or `--pre` set there is as much an input as a line
 * of requirements.txt.
 */

/** PIP_* variables that change how pip talks, waits or logs, never what it installs. */
const NEUTRAL = new Set(
  [
    'CACHE_DIR',
    'NO_CACHE_DIR',
    'CERT',
    'CLIENT_CERT',
    'CONFIG_FILE',
    'DEFAULT_TIMEOUT',
    'TIMEOUT',
    'RETRIES',
    'PROXY',
    'TRUSTED_HOST',
    'DISABLE_PIP_VERSION_CHECK',
    'NO_INPUT',
    'NO_COLOR',
    'PROGRESS_BAR',
    'QUIET',
    'VERBOSE',
    'LOG',
    'LOG_FILE',
    'ROOT_USER_ACTION',
    'REQUIRE_VIRTUALENV',
    'KEYRING_PROVIDER',
    'NO_PYTHON_VERSION_WARNING'
  ].map(name => `PIP_${name}`)
)

/** The PIP_* variables that can change the result, by name. */
export function pipEnvironmentSettings(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env)
      .filter((e): e is [string, string] => e[0].startsWith('PIP_') && e[1] !== undefined)
      .filter(([name]) => !NEUTRAL.has(name))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  )
}

/** `constraint = a b` and `requirement = c` in a configuration file, continuation lines too. */
function namedFiles(text: string, dir: string): string[] {
  const files: string[] = []
  let collecting = false
  for (const line of text.split(/\r?\n/)) {
    const setting = /^(constraint|requirement)\s*[=:]\s*(.*)$/.exec(line.trim())
    if (setting) {
      collecting = true
      files.push(...setting[2].split(/\s+/))
    } else if (collecting && /^\s+\S/.test(line)) {
      files.push(...line.trim().split(/\s+/))
    } else collecting = false
  }
  return files.filter(f => f !== '').map(f => path.resolve(dir, f))
}

/**
 * pip's configuration files that exist here, and the constraint and requirement files they
 * name: every file whose bytes go into the venv's description for pip's settings.
 */
export function pipConfigInputs(
  env: NodeJS.ProcessEnv,
  home: string,
  cwd: string,
  read: (file: string) => Buffer
): string[] {
  const configs = pipConfigFiles(env, home).filter(f => pathKind(f) === 'file')
  const named = configs.flatMap(f => {
    try {
      // pip resolves them against its working directory.
      return namedFiles(read(f).toString('utf8'), cwd)
    } catch {
      return [] // unreadable to venv-guard, so to pip too; its digest says so
    }
  })
  return [...configs, ...named]
}
