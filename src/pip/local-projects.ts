import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { requirementsFileProblem, type ParsedRequirements } from './requirements.js'

/**
 * The files that decide what a local project (`.`, `-e .[dev]`, `./libs/x`, `name @ file:///...`)
 * brings in: its pyproject.toml, setup.cfg and setup.py. They belong in the venv's fingerprint
 * (cache key and "up to date" check): an editable install of the project is reused from the
 * cache, and a dependency added to pyproject.toml must not find the old venv current.
 */

const DECIDING = ['pyproject.toml', 'setup.cfg', 'setup.py']

/** The directory a requirement or `packages` argument names, if it names one by path or file URL. */
function projectPath(text: string): string | undefined {
  const target = text
    .replace(/^(-e|--editable)(\s+|=)/, '')
    .replace(/^[A-Za-z0-9._-]+\s*(\[[^\]]*\])?\s*@\s*/, '')
    .replace(/\s+--?\w.*$/, '')
    .replace(/\s*;.*$/, '')
    .replace(/\[[^\]]*\]$/, '')
    .trim()
  if (/^file:/i.test(target)) {
    try {
      return fileURLToPath(target.replace(/#.*$/, ''))
    } catch {
      return undefined
    }
  }
  return /^(\.|\/|~|[A-Za-z]:[\\/])|[\\/]/.test(target) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(target)
    ? target
    : undefined
}

/**
 * The deciding files of every local project directory the requirements and packages name. pip
 * resolves such paths against its working directory, also inside requirements files.
 */
export function localProjectFiles(
  parsed: Pick<ParsedRequirements, 'entries'>,
  packages: string[],
  cwd: string,
  isDirectory = (dir: string) => fs.existsSync(dir) && fs.statSync(dir).isDirectory(),
  // Only regular files are read for the fingerprint: a setup.py linked to /dev/zero never ends.
  exists = (file: string) => requirementsFileProblem(file) === undefined
): string[] {
  const texts = [
    ...parsed.entries
      .filter(e => e.kind === 'requirement' || e.kind === 'editable')
      .map(e => e.text),
    // `-e` and its value are separate arguments in packages.
    ...packages.filter(arg => !arg.startsWith('-'))
  ]
  const dirs = new Set(
    texts
      .map(projectPath)
      .filter((p): p is string => p !== undefined)
      .map(p => path.resolve(cwd, p))
      .filter(isDirectory)
  )
  return [...dirs].flatMap(dir => DECIDING.map(f => path.join(dir, f)).filter(exists))
}
