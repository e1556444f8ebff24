import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Config } from '../action/inputs.js'
import * as os from 'node:os'
import type { InputDescription } from '../venv/fingerprint.js'
import type { RunReport } from '../action/report.js'
import { maskUrlCredentials } from '../action/secrets.js'
import { failure } from '../annotations/emit.js'
import { findingsFromProblems } from '../annotations/finding.js'
import { envConstraintFiles } from './constraints.js'
import { groupArgument, readDependencyGroups } from './dependency-groups.js'
import type { PipFeature } from './features.js'
import { InputReads } from './input-reads.js'
import { localInputs } from './local-projects.js'
import { isPylockFile, readPylock, type PylockFile } from './pylock.js'
import {
  parseRequirementFiles,
  refusedConstraints,
  type ParsedRequirements,
  type RequirementProblem
} from './requirements.js'
import { pipConfigInputs, pipEnvironmentSettings } from './settings.js'
import { info, notice } from '../action/log.js'
import { realPath } from '../platform/os.js'

/** Everything pip will be given, read before it runs; `files` is all that decides the venv. */
export interface Requirements extends ParsedRequirements {
  /** The lock files among the requirements, for placing pip's complaints about them. */
  locks: PylockFile[]
  /** What only a newer pip installs (see features.ts). */
  features: PipFeature[]
  /** Everything pip reads that decides the venv, as read once here: the venv's key derives from it. */
  inputs: InputDescription
  /** Requirements whose result can change while every input reads the same (local-projects.ts). */
  moving: string[]
}

/**
 * The files that really lie outside the workspace, as the notice names them: a file the
 * repository links to elsewhere (a glob follows the link) counts where it really is.
 */
function outsideWorkspace(files: string[], workspace: string): string[] {
  const root = realPath(workspace)
  return files.flatMap(file => {
    const real = realPath(file)
    const relative = path.relative(root, real)
    const outside =
      relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)
    if (!outside) return []
    return [real === path.resolve(file) ? file : `${file} (a link to ${real})`]
  })
}

/** The lock files, each with its packages' lines, or the problems that keep pip from reading them. */
function readLocks(
  files: string[],
  reads: InputReads
): { locks: PylockFile[]; problems: RequirementProblem[] } {
  const read = files.map(file => {
    const bytes = reads.read(file)
    // A lock file's URLs (archives, wheels, VCS, indexes) reach pip's messages: mask them all.
    maskUrlCredentials(bytes.toString('utf8'))
    return readPylock(file, bytes)
  })
  return {
    locks: read.filter((r): r is PylockFile => 'doc' in r),
    problems: read.filter((r): r is RequirementProblem => !('doc' in r))
  }
}

/**
 * The requirements files, lock files, dependency groups and constraint files, read as pip reads
 * them, before pip runs: credentials in their URLs are masked, and a problem pip would stop at
 * ends the step here, annotated on its line.
 */
export function readRequirements(config: Config, report: RunReport): Requirements {
  const reads = new InputReads()
  const lockFiles = config.requirementFiles.filter(isPylockFile)
  // PIP_CONSTRAINT is pip's: it reaches pip by itself, and is read here for its lines and content.
  const envConstraints = envConstraintFiles(process.env, config.workingDirectory).filter(f =>
    fs.existsSync(f)
  )
  const constraintFiles = [...config.constraintFiles, ...envConstraints]
  // As pip gets them, where it runs: the key, the summary and the pip run share these words.
  const groupArguments = config.dependencyGroups.map(g => groupArgument(g, config.workingDirectory))
  const files = parseRequirementFiles(
    config.requirementFiles.filter(file => !isPylockFile(file)),
    file => reads.read(file),
    undefined,
    constraintFiles
  )
  files.problems.push(...refusedConstraints(files))
  const { locks, problems } = readLocks(lockFiles, reads)
  const groups = readDependencyGroups(config.dependencyGroups, file =>
    reads.read(file, f => fs.readFileSync(f))
  )
  const entries = [...files.entries, ...locks.flatMap(l => l.entries), ...groups.entries]
  const local = localInputs(
    entries,
    [...config.packages, ...locks.flatMap(l => l.localSources)],
    config.workingDirectory
  )
  const pipConfig = pipConfigInputs(process.env, os.homedir(), config.workingDirectory, file =>
    reads.read(file)
  )
  const inputFiles = [...files.files, ...lockFiles, ...groups.files, ...local.files]
  const parsed: Requirements = {
    ...files,
    files: inputFiles,
    entries,
    problems: [...files.problems, ...problems, ...groups.problems],
    locks,
    features: [
      ...(config.dependencyGroups.length > 0 ? (['dependency-groups'] as const) : []),
      ...(lockFiles.length > 0 ? (['pylock'] as const) : [])
    ],
    inputs: {
      files: reads.digestsOf([...inputFiles, ...pipConfig, ...config.cacheDependencyFiles]),
      roles: {
        requirements: config.requirementFiles,
        constraints: constraintFiles,
        groups: groupArguments
      },
      variables: Object.fromEntries(files.variables.map(name => [name, process.env[name] ?? ''])),
      pipSettings: pipEnvironmentSettings(process.env)
    },
    moving: local.moving
  }
  const relative = (file: string) => path.relative(config.workspace, file)
  report.sources = {
    groups: groupArguments,
    lockFiles: lockFiles.map(relative),
    constraintFiles: constraintFiles.map(relative)
  }
  for (const url of parsed.urls) maskUrlCredentials(url)
  // Groups' requirements are pip's lines too (`name @ git+https://user:token@host/...`).
  for (const entry of groups.entries) maskUrlCredentials(entry.text)
  for (const file of outsideWorkspace(parsed.files, config.workspace)) {
    notice(`The requirements include ${file}, which is outside the workspace.`)
  }
  for (const file of outsideWorkspace(config.cacheDependencyFiles, config.workspace)) {
    notice(`cache-dependency-path names ${file}, which is outside the workspace.`)
  }
  if (parsed.problems.length > 0) {
    throw failure(findingsFromProblems(parsed.problems), config.workspace, report)
  }
  return parsed
}

/**
 * The requirements that can change while the inputs stay the same (local projects, unpinned VCS
 * URLs), said in the log: they are installed on every run, and the venv is not cached.
 */
export function sayMoving(moving: string[]): void {
  if (moving.length > 0) {
    info(
      `${moving.join(', ')} can change while the inputs stay the same: they are installed on every run, and the venv is not cached.`
    )
  }
}
