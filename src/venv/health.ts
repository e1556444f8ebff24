import * as fs from 'node:fs'
import * as path from 'node:path'
import { createHash } from 'node:crypto'
import {
  currentOs,
  realPath,
  venvBinDir,
  venvPython,
  venvSitePackagesFound,
  type OsName
} from '../platform/os.js'
import { runHelper } from '../platform/python-helper.js'
import type { PythonInstall } from '../python/probe.js'
import { formatVersion } from '../python/version-spec.js'
import type { VenvMarker } from './marker.js'
import { inspectVenv, madeFrom } from './plan.js'

/** The interpreter a venv must have been made from, and what must be installed in it. */
export interface HealthExpectation {
  python: Pick<PythonInstall, 'executable' | 'versionText' | 'basePrefix'>
  /** What it must have been made for; undefined for an earlier venv to update, which must list its content. */
  fingerprint?: string
  /** pip check itself passed on the venv as it is now: its verdict is the one the Python check gives. */
  pipCheckPassed?: boolean
}

/** venv_health.py, shipped beside the bundle: run by the venv's own python. */
/** The check reads every installed file's metadata: longer than a probe, never unbounded. */
const HEALTH_TIMEOUT_MS = 60_000

export interface HealthProbe {
  prefix: string
  version: [number, number, number, string, number]
  problems: string[]
}

/** Why a venv must not be trusted (empty when healthy), and what its pip check covered. */
export interface Health {
  problems: string[]
  /** The digest to record in the marker when the venv passed. */
  checked?: string
}

/** What the marker says against what this run would install. */
export function markerProblems(
  marker: VenvMarker | undefined,
  fingerprint: string | undefined
): string[] {
  if (!marker) return ['it has no venv-guard marker']
  const problems: string[] = []
  if (!marker.created) problems.push('its marker says venv-guard did not create it')
  if (!marker.complete) problems.push('its marker says the install did not finish')
  if (fingerprint === undefined && !marker.content)
    problems.push('its marker does not list what it holds, so it cannot be updated')
  if (fingerprint !== undefined && marker.fingerprint !== fingerprint)
    problems.push('its marker names other requirements')
  return problems
}

/**
 * Whether pyvenv.cfg names the interpreter in use: the same home and version (madeFrom), and,
 * where Python records it (3.11+), an `executable` that still exists and is the same file.
 */
export function pyvenvProblems(
  cfg: Record<string, string>,
  python: HealthExpectation['python']
): string[] {
  if (!madeFrom(cfg, python)) {
    return [
      `its pyvenv.cfg names ${cfg.version ?? cfg.version_info ?? '?'} from ${cfg.home ?? '?'}, not ${python.versionText} from ${path.dirname(python.executable)}`
    ]
  }
  const executable = cfg.executable
  if (!executable) return []
  if (!fs.existsSync(executable)) {
    return [`its pyvenv.cfg names the interpreter ${executable}, which no longer exists`]
  }
  if (realPath(executable) !== realPath(python.executable)) {
    return [
      `its pyvenv.cfg names the interpreter ${executable}, but ${python.executable} is ${realPath(python.executable)}`
    ]
  }
  return []
}

/**
 * The interpreter a script starts: its shebang, or the one pip's `/bin/sh` trampoline execs (pip
 * writes that for paths with spaces or too long for a shebang). Undefined for other files.
 */
export function scriptInterpreter(head: string): string | undefined {
  if (!head.startsWith('#!')) return undefined
  const [first, second = ''] = head.split(/\r?\n/)
  const command = first.slice(2).trim()
  const trampoline = /^'''exec' ("[^"]+"|\S+)/.exec(second)
  if (/^\/bin\/sh\s*$/.test(command) && trampoline) return trampoline[1].replace(/^"|"$/g, '')
  return command.split(/\s+/)[0]
}

/**
 * Scripts in bin/ whose shebang names a Python outside the venv, and links there that lead
 * nowhere (bin/python when its interpreter is gone). Shebangs of other programs (sh, env) are
 * fine. Windows launchers (.exe) carry theirs inside a binary and are not read.
 */
export function scriptProblems(venv: string, os: OsName = currentOs()): string[] {
  if (os === 'win32') return []
  const bin = venvBinDir(venv, os)
  const inside = [venv, realPath(venv)].map(dir => dir + path.sep)
  const problems: string[] = []
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(bin, { withFileTypes: true })
  } catch {
    return [`it has no ${path.basename(bin)} directory`]
  }
  const head = Buffer.alloc(1024)
  for (const entry of entries) {
    const file = path.join(bin, entry.name)
    if (entry.isSymbolicLink()) {
      if (!fs.existsSync(file))
        problems.push(`${entry.name} links to ${fs.readlinkSync(file)}, which does not exist`)
      continue
    }
    if (!entry.isFile()) continue
    const fd = fs.openSync(file, 'r')
    let text: string
    try {
      text = head.toString('utf8', 0, fs.readSync(fd, head, 0, head.length, 0))
    } finally {
      fs.closeSync(fd)
    }
    const interpreter = scriptInterpreter(text)
    if (!interpreter || !/^(python|pypy)/.test(path.basename(interpreter))) continue
    if (!inside.some(dir => path.resolve(interpreter).startsWith(dir))) {
      problems.push(`${entry.name} starts ${interpreter}, outside the venv`)
    }
  }
  return problems
}

/** What the venv's python reported, against what it should be. */
export function probeProblems(
  probe: HealthProbe,
  venv: string,
  python: HealthExpectation['python']
): string[] {
  const problems: string[] = []
  if (realPath(probe.prefix) !== realPath(venv)) {
    problems.push(`its python runs with the prefix ${probe.prefix}, not the venv`)
  }
  const [major, minor, micro, releaseLevel, serial] = probe.version
  const version = formatVersion({ major, minor, micro, releaseLevel, serial })
  if (version !== python.versionText)
    problems.push(`its python is ${version}, not ${python.versionText}`)
  return [...problems, ...probe.problems.map(p => `pip check: ${p}`)]
}

async function runProbe(venv: string, python: HealthExpectation['python']): Promise<string[]> {
  const result = await runHelper<HealthProbe>(
    [venvPython(venv)],
    import.meta.url,
    'venv_health.py',
    [],
    { flags: ['-I'], timeoutMs: HEALTH_TIMEOUT_MS }
  )
  if (!result.ok) return [`its python's health check failed: ${result.why}`]
  return probeProblems(result.value, venv, python)
}

/** What is read of a METADATA file at most: its headers come first. */
const METADATA_READ = 1 << 20

/**
 * A METADATA file's headers (up to the first empty line): what pip check reads of it. Only a
 * regular file, and only its first megabyte: a restored venv's `METADATA` could be a link to
 * `/dev/zero`.
 */
function metadataHeaders(file: string): string {
  if (!fs.lstatSync(file).isFile()) throw new Error(`${file} is not a file`)
  const fd = fs.openSync(file, 'r')
  let text: string
  try {
    const buffer = Buffer.alloc(Math.min(fs.fstatSync(fd).size, METADATA_READ))
    text = buffer.toString('utf8', 0, fs.readSync(fd, buffer, 0, buffer.length, 0))
  } finally {
    fs.closeSync(fd)
  }
  const end = /\r?\n\r?\n/.exec(text)
  return end ? text.slice(0, end.index) : text
}

/**
 * What the venv's python check judges: the interpreter, and every distribution's metadata headers
 * (name, version, requirements). Equal digests, equal verdicts: the marker records the digest of
 * a venv that passed when it was saved. Undefined where only the python check can tell: a
 * dist-info without a METADATA file that names its project, or no pip.
 */
export function checkedDigest(
  venv: string,
  python: HealthExpectation['python']
): string | undefined {
  const hash = createHash('sha256').update(
    JSON.stringify([python.versionText, realPath(python.executable)])
  )
  let pip = false
  for (const site of venvSitePackagesFound(venv)) {
    let names: string[] = []
    try {
      names = fs.readdirSync(site).filter(name => name.endsWith('.dist-info'))
    } catch {
      continue
    }
    for (const name of names.sort()) {
      let headers: string
      try {
        headers = metadataHeaders(path.join(site, name, 'METADATA'))
      } catch {
        return undefined
      }
      const project = /^Name:\s*(\S+)/m.exec(headers)?.[1]
      if (!project) return undefined
      if (project.toLowerCase() === 'pip') pip = true
      hash.update(`\0${name}\0${headers}`)
    }
  }
  return pip ? hash.digest('hex') : undefined
}

/**
 * Whether a venv restored from the cache, or about to be saved to it, can be trusted. The file
 * checks come first and cost no process; the Python checks are one short run of the venv's python,
 * needless for a venv whose python is the interpreter just probed (a link to it) and whose
 * distributions are those that passed when it was saved (checkedDigest), or passed pip check
 * itself a moment ago.
 */
export async function venvHealth(venv: string, expected: HealthExpectation): Promise<Health> {
  const state = inspectVenv(venv)
  if (state.kind !== 'venv') return { problems: ['it is not a venv (no pyvenv.cfg)'] }
  const problems = [
    ...markerProblems(state.marker, expected.fingerprint),
    ...pyvenvProblems(state.cfg, expected.python),
    ...scriptProblems(venv)
  ]
  if (problems.length > 0) return { problems }
  const checked = checkedDigest(venv, expected.python)
  const asChecked =
    checked !== undefined &&
    (expected.pipCheckPassed || checked === state.marker?.checked) &&
    realPath(venvPython(venv)) === realPath(expected.python.executable)
  return { problems: asChecked ? [] : await runProbe(venv, expected.python), checked }
}
