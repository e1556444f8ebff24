import * as core from '@actions/core'
import * as glob from '@actions/glob'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { CACHE_INPUTS, type CacheInput } from '../cache/scope.js'
import type { UserSitePolicy } from '../guard/step.js'
import { inputError } from '../report/diagnostic.js'
import { maskUrlCredentials } from '../report/secrets.js'
import { parseGroupSpec, type GroupSpec } from '../pip/dependency-groups.js'
import { requirementsFileProblem } from '../pip/requirements.js'
import { realPath } from '../platform/os.js'
import { readVersionFile } from '../python/version-file.js'
import { parseVersionSpec, VersionSpecError } from '../python/version-spec.js'
import { inputLines, splitWords } from '../platform/words.js'

/** Every input, validated once. Paths are absolute. */
export interface Config {
  workspace: string
  workingDirectory: string
  /** The version spec to look for, from `python-version` or the version file; '' for the default. */
  pythonVersion: string
  /** Where `pythonVersion` came from, for messages. */
  pythonVersionSource: string
  pythonPath: string
  allowPrereleases: boolean
  /** Setting Python up from a manifest (src/python/manifest.ts; installer.ts, pypy.ts). */
  checkLatest: boolean
  pythonManifestUrl: string
  pypyManifestUrl: string
  token: string
  venvPath: string
  createVenv: boolean
  /** Requirements files and pylock.toml lock files, as given. */
  requirementFiles: string[]
  /** PEP 735 dependency groups, each installed with `--group`. */
  dependencyGroups: GroupSpec[]
  /** Constraint files: `-c` for the install of the requirements, never for the upgrade. */
  constraintFiles: string[]
  packages: string[]
  upgrade: string[]
  pipArgs: string[]
  activate: boolean
  /** What a predicted or detected install into the user site-packages does to the step. */
  onUserSite: UserSitePolicy
  /** Export PIP_REQUIRE_VIRTUALENV for later steps and audit the user site in the post step. */
  guardLaterSteps: boolean
  /** Whether to cache the venv and pip's cache; `auto` decides by the event (cache/scope.ts). */
  cache: CacheInput
  /** False: restore, never save. */
  cacheSave: boolean
  /** Extra files whose content goes into the cache key. */
  cacheDependencyFiles: string[]
  /** A local directory to keep the cache in instead of GitHub's cache service; '' for the service. */
  cacheDir: string
}

export type InputReader = (name: string) => string

const readActionInput: InputReader = name => core.getInput(name)

export function parseBoolean(input: string, value: string, fallback: boolean): boolean {
  const v = value.trim().toLowerCase()
  if (v === '') return fallback
  if (v === 'true') return true
  if (v === 'false') return false
  throw inputError(input, value, 'use true or false.')
}

export function parseChoice<T extends string>(
  input: string,
  value: string,
  choices: readonly T[],
  fallback: T
): T {
  const v = value.trim().toLowerCase()
  if (v === '') return fallback
  if ((choices as readonly string[]).includes(v)) return v as T
  throw inputError(input, value, `use one of ${choices.join(', ')}.`)
}

// C0 and C1 control characters but tab, DEL, and Unicode's line and paragraph separators: a line
// break in a path adds a line to GITHUB_PATH or starts a workflow command in the log; an escape
// sequence hides text there.
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/

/** Text with its control characters written as escapes (`\n`), for a message that quotes it. */
export function visible(text: string): string {
  return JSON.stringify(text).slice(1, -1)
}

/** A path or an argument as given, refused when it holds a control character. */
export function printable(input: string, value: string, text: string = value): string {
  const found = CONTROL.exec(text)
  if (!found) return text
  const what = text === value ? 'it' : visible(text)
  throw inputError(
    input,
    visible(value),
    `${what} contains a control character (${visible(found[0])}). Paths and arguments cannot hold line breaks or other control characters: remove it, or rename the file.`
  )
}

function words(input: string, value: string): string[] {
  let split: string[]
  try {
    split = splitWords(value)
  } catch (error) {
    throw inputError(input, value, `${(error as Error).message}; close the quote or escape it.`)
  }
  return split.map(word => printable(input, word))
}

/** An input's non-empty lines, each refused when it holds a control character. */
function lines(input: string, value: string): string[] {
  return inputLines(value).map(line => printable(input, line))
}

function existingDirectory(input: string, value: string, dir: string): string {
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
async function inputFiles(
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

async function requirementFiles(value: string, cwd: string, venvPath: string): Promise<string[]> {
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
function dependencyGroups(value: string, cwd: string): GroupSpec[] {
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
function cacheDirectory(value: string, cwd: string): string {
  const trimmed = value.trim()
  if (trimmed === '') return ''
  const dir = path.resolve(cwd, trimmed.replace(/^~(?=$|[\\/])/, os.homedir()))
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    throw inputError('cache-dir', value, `${dir} is not a directory; name a directory.`)
  }
  return dir
}

function versionFromFile(value: string, cwd: string): string {
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
function defaultVersionFile(
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

function httpUrl(input: string, value: string, emptyMeans: string): string {
  const v = value.trim()
  if (v === '') return ''
  let protocol = ''
  try {
    protocol = new URL(v).protocol
  } catch {
    // reported below
  }
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw inputError(input, value, `use an http(s) URL, or leave it empty for ${emptyMeans}.`)
  }
  maskUrlCredentials(v)
  return v
}

/** Registered as a secret before anything could print it. */
function secret(value: string): string {
  const v = value.trim()
  if (v) core.setSecret(v)
  return v
}

/**
 * `python-path` as the user means it: a bare name (`python3`) is looked up on PATH when it runs,
 * `~/` is the home directory, anything else is relative to working-directory.
 */
function interpreterPath(value: string, workingDirectory: string): string {
  if (value === '') return ''
  if (!/[\\/]/.test(value)) return value
  if (value === '~' || value.startsWith('~/')) return path.join(os.homedir(), value.slice(1))
  return path.resolve(workingDirectory, value)
}

export async function readConfig(read: InputReader = readActionInput): Promise<Config> {
  const workspace = path.resolve(process.env.GITHUB_WORKSPACE || process.cwd())
  const workingDirectory = existingDirectory(
    'working-directory',
    read('working-directory'),
    path.resolve(workspace, printable('working-directory', read('working-directory')) || '.')
  )
  const allowPrereleases = parseBoolean('allow-prereleases', read('allow-prereleases'), false)

  let pythonVersion = read('python-version').trim()
  let pythonVersionSource = "input 'python-version'"
  const versionFile = printable('python-version-file', read('python-version-file').trim())
  const pythonPathInput = printable('python-path', read('python-path').trim())
  if (!pythonVersion && versionFile) {
    pythonVersion = versionFromFile(versionFile, workingDirectory)
    pythonVersionSource = versionFile
  } else if (!pythonVersion && !pythonPathInput) {
    const found = defaultVersionFile(workingDirectory, workspace)
    if (found) {
      pythonVersion = found.spec
      pythonVersionSource = `${found.file} (read by default: no python-version input)`
    }
  }
  if (pythonVersion) {
    try {
      parseVersionSpec(pythonVersion, allowPrereleases)
    } catch (error) {
      if (!(error instanceof VersionSpecError)) throw error
      const input = read('python-version').trim() ? 'python-version' : 'python-version-file'
      throw inputError(
        input,
        pythonVersion,
        'it is not a Python version spec. Use a form like 3.12, 3.11.7, 3.x, >=3.10,<3.13, 3.13t or pypy3.10.'
      )
    }
  }

  const venvPath = path.resolve(
    workingDirectory,
    printable('venv-path', read('venv-path').trim()) || '.venv'
  )
  return {
    workspace,
    workingDirectory,
    pythonVersion,
    pythonVersionSource,
    pythonPath: interpreterPath(pythonPathInput, workingDirectory),
    allowPrereleases,
    checkLatest: parseBoolean('check-latest', read('check-latest'), false),
    pythonManifestUrl: httpUrl('python-manifest-url', read('python-manifest-url'), 'GitHub'),
    pypyManifestUrl: httpUrl(
      'pypy-manifest-url',
      read('pypy-manifest-url'),
      'downloads.python.org'
    ),
    token: secret(read('token')),
    venvPath,
    createVenv: parseBoolean('create-venv', read('create-venv'), true),
    requirementFiles: await requirementFiles(read('requirements'), workingDirectory, venvPath),
    dependencyGroups: dependencyGroups(read('dependency-groups'), workingDirectory),
    constraintFiles: await inputFiles(
      'constraints',
      read('constraints'),
      workingDirectory,
      venvPath
    ),
    // A requirement line is one argument (`pywin32; sys_platform == "win32"`); option lines such
    // as `-e .[dev]` are split into words.
    packages: lines('packages', read('packages')).flatMap(line =>
      line.startsWith('-') ? words('packages', line) : [line]
    ),
    upgrade: words('upgrade', read('upgrade')),
    pipArgs: words('pip-args', read('pip-args')),
    activate: parseBoolean('activate', read('activate'), true),
    onUserSite: parseChoice<UserSitePolicy>(
      'on-user-site',
      read('on-user-site'),
      ['fail', 'warn', 'ignore'],
      'fail'
    ),
    guardLaterSteps: parseBoolean('guard-later-steps', read('guard-later-steps'), true),
    cache: parseChoice<CacheInput>('cache', read('cache'), CACHE_INPUTS, 'auto'),
    cacheSave: parseBoolean('cache-save', read('cache-save'), true),
    cacheDependencyFiles: await inputFiles(
      'cache-dependency-path',
      read('cache-dependency-path'),
      workingDirectory,
      venvPath
    ),
    cacheDir: cacheDirectory(printable('cache-dir', read('cache-dir')), workingDirectory)
  }
}
