import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const PYENV_ROOT = process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv')

/** The pyenv interpreter of a minor version on this machine (e.g. '3.12' -> its full path). */
export function pyenvPython(minor: string): { version: string; executable: string } {
  const versions = fs.readdirSync(path.join(PYENV_ROOT, 'versions'))
  const version = versions.find(v => v === minor || v.startsWith(`${minor}.`))
  if (!version) throw new Error(`pyenv has no Python ${minor} on this machine`)
  return { version, executable: path.join(PYENV_ROOT, 'versions', version, 'bin', 'python3') }
}

export const SYSTEM_PYTHON = '/usr/bin/python3'
