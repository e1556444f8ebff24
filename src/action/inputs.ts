import * as path from 'node:path'
import { CACHE_INPUTS, type CacheInput } from '../cache/scope.js'
import type { UserSitePolicy } from '../guard/step.js'
import { inputError } from '../report/diagnostic.js'
import type { GroupSpec } from '../pip/dependency-groups.js'
import { parseVersionSpec, VersionSpecError } from '../python/version-spec.js'
import {
  cacheDirectory,
  defaultVersionFile,
  dependencyGroups,
  existingDirectory,
  inputFiles,
  requirementFiles,
  versionFromFile
} from './input-files.js'
import {
  httpUrl,
  interpreterPath,
  lines,
  parseBoolean,
  parseChoice,
  printable,
  readActionInput,
  secret,
  words,
  type InputReader
} from './input-values.js'

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
