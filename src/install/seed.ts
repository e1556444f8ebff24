import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { findDistInfo, recordPaths } from '../pip/dist-info.js'
import { normalizeName } from '../pip/names.js'
import type { HeldDist } from '../venv/marker.js'
import { copyIntoCommand, plainShebang } from '../platform/os.js'
import { run } from '../platform/process.js'

/**
 * A tool seed: pip, setuptools and wheel (and what they need) as an earlier cold run's upgrade
 * installed them into a fresh venv, byte-compiled, kept in the tool cache. A new venv gets a copy
 * instead of running the upgrade, and is kept only if pip, asked what the upgrade would install
 * (`--dry-run --ignore-installed --report`), names the very same files: same names, versions and
 * wheel hashes. The tool cache is trusted as the interpreters in it are: whoever can write one can
 * write the other; a seed restored from the cache (cache/seed-tier.ts), as the cache is, like a
 * venv restored from it. pip's answer proves which files, not what they hold.
 */
export interface SeedRecord {
  format: number
  /** The venv interpreter its scripts' first lines name. */
  python: string
  /** What the upgrade installed, as its report said. */
  dists: HeldDist[]
  /** The site-packages entries that hold them, bytecode included. */
  entries: string[]
  /** Their scripts in the venv's bin directory, as paths relative to site-packages (RECORD's). */
  scripts: string[]
}

const SEED_FORMAT = 2
const RECORD_FILE = 'seed.json'

/** Where the seeds live: the tool cache, or nowhere outside a runner. */
export function seedStore(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.RUNNER_TOOL_CACHE ? path.join(env.RUNNER_TOOL_CACHE, 'venv-guard-tools') : undefined
}

/** One seed per interpreter and upgrade command line (with pip-args, and whether pip compiles). */
export function seedKey(interpreter: string[], upgradeArgs: string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([SEED_FORMAT, interpreter, upgradeArgs]))
    .digest('hex')
    .slice(0, 32)
}

/** What names a seed's tools in its cache key: their names, versions and wheel hashes. */
export function toolsId(dists: HeldDist[]): string {
  const tools = dists.map(d => [normalizeName(d.name), d.version, d.sha256]).sort()
  return createHash('sha256').update(JSON.stringify(tools)).digest('hex').slice(0, 16)
}

export function readSeed(dir: string): SeedRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(dir, RECORD_FILE), 'utf8')) as SeedRecord
    const valid =
      record.format === SEED_FORMAT &&
      typeof record.python === 'string' &&
      [record.dists, record.entries, record.scripts].every(Array.isArray) &&
      record.entries.every(oneName) &&
      record.scripts.every(safeRelative)
    return valid ? record : undefined
  } catch {
    return undefined
  }
}

/** A site-packages entry of the seed: one name, no path (seedContent writes no other). */
function oneName(entry: unknown): boolean {
  return typeof entry === 'string' && !['', '.', '..'].includes(entry) && !/[\\/]/.test(entry)
}

/** A script's RECORD path stays where it belongs: no absolute path, no step outside but to bin. */
function safeRelative(entry: unknown): boolean {
  if (typeof entry !== 'string' || entry === '' || path.isAbsolute(entry)) return false
  const parts = entry.split('/')
  const ups = parts.findIndex(p => p !== '..')
  return parts.slice(ups).every(p => p !== '..' && p !== '.' && p !== '')
}

/** Where a venv's packages and scripts go. */
export interface SeedTarget {
  python: string
  sitePackages: string
  bin: string
}

/** RECORD's name for a script: relative to site-packages, with forward slashes. */
function recordPath(target: SeedTarget, script: string): string {
  return path.relative(target.sitePackages, path.join(target.bin, script)).split(path.sep).join('/')
}

/** RECORD's hash of a file's content: urlsafe base64 of the sha256, unpadded. */
function recordHash(content: Buffer): string {
  return `sha256=${createHash('sha256').update(content).digest('base64url')}`
}

/**
 * Copies the seed into a new, empty venv, its scripts' first lines and their RECORD lines rewritten
 * for this venv's interpreter as pip would have written them. False when it cannot be done exactly
 * (a path pip would write another way); a copy that fails half-way throws.
 */
export async function plantSeed(
  dir: string,
  record: SeedRecord,
  target: SeedTarget
): Promise<boolean> {
  if (!plainShebang(record.python) || !plainShebang(target.python)) return false
  const scripts = record.scripts.map(rel => {
    const content = fs.readFileSync(path.join(dir, 'bin', path.posix.basename(rel)))
    const first = `#!${record.python}\n`
    if (!content.subarray(0, first.length).equals(Buffer.from(first))) return undefined
    const rewritten = Buffer.concat([
      Buffer.from(`#!${target.python}\n`),
      content.subarray(first.length)
    ])
    return { name: path.posix.basename(rel), rel, content: rewritten }
  })
  if (scripts.some(s => s === undefined)) return false
  const copy = copyIntoCommand(
    record.entries.map(entry => path.join(dir, 'site-packages', entry)),
    target.sitePackages
  )
  const copied = await run(copy.command, copy.args)
  if (copied.exitCode !== 0) throw new Error(copied.stderr.trim() || `${copy.command} failed`)
  const rewrites = new Map<string, string>()
  for (const script of scripts) {
    if (!script) continue
    fs.writeFileSync(path.join(target.bin, script.name), script.content, { mode: 0o755 })
    rewrites.set(
      script.rel,
      `${recordPath(target, script.name)},${recordHash(script.content)},${script.content.length}`
    )
  }
  if (rewrites.size > 0) rewriteRecords(target.sitePackages, record.entries, rewrites)
  return true
}

/** The scripts' lines in each dist-info RECORD, for the new venv. */
function rewriteRecords(sitePackages: string, entries: string[], lines: Map<string, string>): void {
  for (const entry of entries.filter(e => e.endsWith('.dist-info'))) {
    const file = path.join(sitePackages, entry, 'RECORD')
    const text = fs.readFileSync(file, 'utf8')
    const rewritten = text.replace(
      /^([^,\n]+),[^\n]*$/gm,
      (line, rel: string) => lines.get(rel) ?? line
    )
    if (rewritten !== text) fs.writeFileSync(file, rewritten)
  }
}

/** The dist-info directory of each distribution, by its name and version. */
function distInfoDirs(sitePackages: string, dists: HeldDist[]): string[] | undefined {
  const found = dists.map(d => findDistInfo(sitePackages, d))
  return found.every(f => f !== undefined) ? (found as string[]) : undefined
}

/**
 * What the seed of a venv's tools would hold, or undefined when they cannot be seeded exactly:
 * a file outside site-packages other than a script, a quoted RECORD path, or an entry another
 * installed distribution shares.
 */
export function seedContent(
  sitePackages: string,
  target: SeedTarget,
  dists: HeldDist[]
): Omit<SeedRecord, 'format' | 'python' | 'dists'> | undefined {
  const distInfos = distInfoDirs(sitePackages, dists)
  if (!distInfos) return undefined
  const entries = new Set<string>()
  const scripts: string[] = []
  const bin = new Set(fs.readdirSync(target.bin).map(name => recordPath(target, name)))
  for (const distInfo of distInfos) {
    const paths = recordPaths(sitePackages, distInfo)
    if (!paths) return undefined
    // A path with a comma is quoted in RECORD; none of the tools has one, and such a seed is refused.
    for (const rel of paths) {
      if (rel.startsWith('"')) return undefined
      if (rel.startsWith('..')) {
        if (!bin.has(rel)) return undefined
        scripts.push(rel)
      } else entries.add(rel.split('/')[0])
    }
  }
  // A module at the top level keeps its bytecode in the shared __pycache__: not seeded.
  if (entries.has('__pycache__') || [...entries].some(e => e.endsWith('.py'))) return undefined
  const others = fs
    .readdirSync(sitePackages)
    .filter(n => n.endsWith('.dist-info') && !distInfos.includes(n))
  for (const other of others) {
    const paths = recordPaths(sitePackages, other) ?? []
    const shared = paths.some(rel => entries.has(rel.split('/')[0]))
    if (shared) return undefined
  }
  return { entries: [...entries].sort(), scripts: [...new Set(scripts)].sort() }
}

/**
 * Keeps a venv's freshly upgraded tools as the seed under `dir`, replacing what was there: written
 * beside it and renamed into place, so that a run copying the old one never sees half of the new.
 * Copied as planted, by `cp -p`: Node's copy rounds modification times, and a source a whole
 * second off its bytecode's would be compiled again on import.
 */
export async function saveSeed(
  dir: string,
  target: SeedTarget,
  dists: HeldDist[]
): Promise<boolean> {
  const content = seedContent(target.sitePackages, target, dists)
  if (!content || !plainShebang(target.python)) return false
  const partial = `${dir}.${process.pid}.partial`
  fs.rmSync(partial, { recursive: true, force: true })
  try {
    const sitePackages = path.join(partial, 'site-packages')
    fs.mkdirSync(sitePackages, { recursive: true })
    const copy = copyIntoCommand(
      content.entries.map(entry => path.join(target.sitePackages, entry)),
      sitePackages
    )
    const copied = await run(copy.command, copy.args)
    if (copied.exitCode !== 0) throw new Error(copied.stderr.trim() || `${copy.command} failed`)
    fs.mkdirSync(path.join(partial, 'bin'), { recursive: true })
    for (const rel of content.scripts) {
      const name = path.posix.basename(rel)
      fs.copyFileSync(path.join(target.bin, name), path.join(partial, 'bin', name))
    }
    const record: SeedRecord = { format: SEED_FORMAT, python: target.python, dists, ...content }
    fs.writeFileSync(path.join(partial, RECORD_FILE), JSON.stringify(record, null, 2))
    const old = `${dir}.${process.pid}.old`
    if (fs.existsSync(dir)) fs.renameSync(dir, old)
    fs.renameSync(partial, dir)
    fs.rmSync(old, { recursive: true, force: true })
    return true
  } finally {
    fs.rmSync(partial, { recursive: true, force: true })
  }
}
