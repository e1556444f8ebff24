import * as glob from '@actions/glob'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { inputError } from '../report/diagnostic.js'
import { parseGroupSpec, type GroupSpec } from '../pip/dependency-groups.js'
import { requirementsFileProblem } from '../pip/requirements-file.js'
import { realPath } from '../platform/os.js'
import { inputLines } from '../platform/words.js'
import { readVersionFile } from '../python/version-file.js'
import { lines, printable } from './input-values.js'

// The files and directories inputs name: each checked to exist, be readable and printable, and be
// what the input expects; globs expanded as actions/cache expands them.

export function existingDirectory(input: string, value: string, dir: string): string {
  if (!fs.existsSync(dir)) throw inputError(input, value, `${dir} does not exist.`)
  if (!fs.statSync(dir).isDirectory()) throw inputError(input, value, `${dir} is not a directory.`)
  return dir
}

/** Inputs whose files are only hashed, never parsed: any size will do. */
const HASHED_ONLY = new Set(['cache-dependency-path'])

function checkFile(input: string, value: string, file: string): string {
  printable(input, value, file)
  const found = requirementsFileProblem(file)
  const problem = found?.kind === 'too-large' && HASHED_ONLY.has(input) ? undefined : found
  if (problem?.kind === 'missing') {
    throw inputError(
      input,
      value,
      `${file} does not exist. Fix the path (it is relative to working-directory) or remove the line.`
    )
  }
  if (problem?.kind === 'directory')
    throw inputError(input, value, `${file} is not a file; name a file.`)
  if (problem) throw inputError(input, value, `${file} ${problem.message}; name a regular file.`)
  try {
    fs.accessSync(file, fs.constants.R_OK)
  } catch {
    throw inputError(input, value, `${file} is not readable by this user; fix its permissions.`)
  }
  return file
}

/**
 * Whether a glob's match lies inside a directory that globs never enter: `.git`, the venv, or any
 * other venv (a directory with pyvenv.cfg). Only directories below the glob's own root count:
 * a pattern that starts inside one means it.
 */
function insideSkipped(file: string, roots: string[], venvPath: string): boolean {
  const root = roots.find(r => file.startsWith(r + path.sep))
  if (!root) return false
  for (
    let dir = path.dirname(file);
    dir !== root && dir.startsWith(root);
    dir = path.dirname(dir)
  ) {
    if (path.basename(dir) === '.git' || dir === venvPath) return true
    if (fs.existsSync(path.join(dir, 'pyvenv.cfg'))) return true
  }
  return false
}

/** The files an input's lines name, globs expanded; each must exist and be readable. */
export async function inputFiles(
  input: string,
  value: string,
  cwd: string,
  venvPath: string
): Promise<string[]> {
  const files: string[] = []
  for (const line of lines(input, value)) {
    const absolute = path.resolve(cwd, line)
    if (!/[*?[]/.test(line)) {
      files.push(checkFile(input, line, absolute))
      continue
    }
    const globber = await glob.create(absolute, { matchDirectories: false })
    const roots = globber.getSearchPaths()
    // A match reached through a symbolic link counts where it really is, too.
    const realRoots = roots.map(realPath)
    const realVenv = realPath(venvPath)
    const matches = (await globber.glob())
      .filter(
        m => !insideSkipped(m, roots, venvPath) && !insideSkipped(realPath(m), realRoots, realVenv)
      )
      .sort()
    if (matches.length === 0) {
      throw inputError(input, line, 'the pattern matches no file; fix it or remove the line.')
    }
    files.push(...matches.map(m => checkFile(input, line, m)))
  }
  return [...new Set(files)]
}

/** What an empty `requirements` installs: the first of these that exists. */
const CONVENTIONAL_REQUIREMENTS = ['requirements.txt', 'pylock.toml']

export async function requirementFiles(
  value: string,
  cwd: string,
  venvPath: string
): Promise<string[]> {
  if (inputLines(value).length === 0) {
    // The files pip users name by convention: a project with a lock file and no requirements.txt
    // installs its lock file, as it would `pip install -r pylock.toml`.
    const conventional = CONVENTIONAL_REQUIREMENTS.map(name => path.join(cwd, name)).find(file =>
      fs.existsSync(file)
    )
    return conventional ? [checkFile('requirements', '', conventional)] : []
  }
  return inputFiles('requirements', value, cwd, venvPath)
}

/** `NAME` or `path/to/pyproject.toml:NAME`, one per line or space separated; the file must exist. */
export function dependencyGroups(value: string, cwd: string): GroupSpec[] {
  return value
    .split(/\s+/)
    .filter(word => word !== '')
    .map(word => {
      const spec = parseGroupSpec(printable('dependency-groups', word), cwd)
      if (typeof spec === 'string') throw inputError('dependency-groups', word, spec)
      checkFile('dependency-groups', word, spec.pyproject)
      return spec
    })
}

/** cache-dir: relative to working-directory, `~` for the home directory; made when first saved. */
export function cacheDirectory(value: string, cwd: string): string {
  const trimmed = value.trim()
  if (trimmed === '') return ''
  const dir = path.resolve(cwd, trimmed.replace(/^~(?=$|[\\/])/, os.homedir()))
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    throw inputError('cache-dir', value, `${dir} is not a directory; name a directory.`)
  }
  return dir
}

export function versionFromFile(value: string, cwd: string): string {
  const file = path.resolve(cwd, value)
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw inputError('python-version-file', value, `${file} does not exist; fix the path.`)
  }
  let spec: string | undefined
  try {
    spec = readVersionFile(file)
  } catch (error) {
    throw inputError(
      'python-version-file',
      value,
      `${file} cannot be read: ${(error as Error).message}`
    )
  }
  if (!spec) {
    throw inputError('python-version-file', value, `${file} names no Python version; add one.`)
  }
  return spec
}

/**
 * With no version input, `.python-version` in working-directory, else in the workspace, as
 * actions/setup-python (v5+) and setup-uv read it by default. One that names no version (only
 * `system` or a virtualenv's name) or cannot be read is passed over: the user asked for nothing.
 */
export function defaultVersionFile(
  workingDirectory: string,
  workspace: string
): { file: string; spec: string } | undefined {
  for (const dir of new Set([workingDirectory, workspace])) {
    const file = path.join(dir, '.python-version')
    let spec: string | undefined
    try {
      spec = fs.statSync(file).isFile() ? readVersionFile(file) : undefined
    } catch {
      continue
    }
    if (spec) return { file, spec }
  }
  return undefined
}
