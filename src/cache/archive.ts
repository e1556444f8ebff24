import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Readable } from 'node:stream'
import {
  executableName,
  executablesOnPath,
  rangeReader,
  savesArchivesInParts,
  tarCommand
} from '../platform/os.js'
import { allDone, removeAll, run, withScratch, type RunResult } from '../platform/process.js'
import type { CacheStore } from './cache-store.js'
import { info, warn } from '../report/log.js'
import {
  concatenate,
  copyRange,
  dropEndOfArchive,
  indexTrailer,
  joinRanges,
  partRanges,
  splitEntries,
  type ByteRange
} from './parts.js'

const ARCHIVE = /\.tar(\.zst|\.gz)?$/

/**
 * The archive formats, in the order a restore prefers them for one key: what venv-guard writes
 * (an uncompressed tar in parts), then what earlier versions wrote (zstd, or gzip without zstd).
 */
const FORMATS = ['.tar', '.tar.zst', '.tar.gz']
const formatRank = (name: string): number => FORMATS.findIndex(format => name.endsWith(format))

export interface ArchiveFile {
  name: string
  mtimeMs: number
}

/** How many archives a restore tries before it gives up: each bad one costs an extraction. */
const MAX_TRIES = 3

/**
 * The archives to try, in order, among a cache-dir's files: the exact key's (in FORMATS' order,
 * whatever their times say: a file's time is whatever whoever wrote it chose), then, per prefix,
 * the newest first. Temporary files (a leading dot) are never chosen, nor zstd archives where
 * zstd is missing. A restore takes the first that unpacks.
 */
export function archiveCandidates(
  files: ArchiveFile[],
  key: string,
  prefixes: string[],
  zstd: boolean
): Array<{ name: string; key: string }> {
  const usable = files
    .filter(f => !f.name.startsWith('.') && ARCHIVE.test(f.name))
    .filter(f => zstd || !f.name.endsWith('.zst'))
    .map(f => ({ ...f, key: f.name.replace(ARCHIVE, '') }))
  const preferred = (a: ArchiveFile, b: ArchiveFile) => formatRank(a.name) - formatRank(b.name)
  const exact = usable.filter(f => f.key === key).sort(preferred)
  const prefixed = prefixes.flatMap(prefix =>
    usable
      .filter(f => f.key !== key && f.key.startsWith(prefix))
      .sort((a, b) => b.mtimeMs - a.mtimeMs || preferred(a, b))
  )
  return [...exact, ...prefixed].slice(0, MAX_TRIES).map(f => ({ name: f.name, key: f.key }))
}

function compression(archive: string): string[] {
  if (archive.endsWith('.zst')) return ['--zstd']
  return archive.endsWith('.gz') ? ['-z'] : []
}

/** Throws unless the program exited with 0, with the end of what it said. */
function succeeded(name: string, result: RunResult): void {
  if (result.exitCode !== 0) {
    throw new Error(`${name} exited with ${result.exitCode}: ${result.stderr.trim().slice(-500)}`)
  }
}

/**
 * tar reads and writes only a scratch directory or a temporary archive (see dirStore), so a tar
 * that outlives a cancelled step can leave nothing half-done where it counts. `handOver`: what it
 * reads as `-f -` (the archive, or a range reader's output).
 */
function runTar(args: string[], handOver?: Readable | number): Promise<RunResult> {
  return run(tarCommand(), args, { handOver })
}

async function tar(args: string[], handOver?: Readable | number): Promise<void> {
  succeeded('tar', await runTar(args, handOver))
}

/** How many parts a venv is saved in (see parts.ts): as many tars unpack them at once. */
const PARTS = 4

function onPath(program: string): boolean {
  return executablesOnPath(process.env.PATH ?? '', [executableName(program)]).length > 0
}

/**
 * The regular files in a cache-dir. Anything else, a symbolic link above all, is never opened:
 * it could lead to an archive that whoever made the link chose.
 */
function listArchives(root: string): ArchiveFile[] {
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(root, { withFileTypes: true })
  } catch {
    return []
  }
  return entries.flatMap(entry => {
    if (!entry.isFile()) {
      if (ARCHIVE.test(entry.name)) {
        info(`Cache: ${path.join(root, entry.name)} is not a regular file; it is never used.`)
      }
      return []
    }
    try {
      return [{ name: entry.name, mtimeMs: fs.lstatSync(path.join(root, entry.name)).mtimeMs }]
    } catch {
      return [] // renamed or removed by another job meanwhile
    }
  })
}

/** A directory itself, not a symbolic link to one. */
function isDirectory(file: string): boolean {
  try {
    return fs.lstatSync(file).isDirectory()
  } catch {
    return false
  }
}

/**
 * Whoever can write to the cache-dir chooses what an archive holds; as root, tar would restore its
 * owners, setuid bits and modes. GNU tar and bsdtar both read these flags.
 */
const UNPACK_AS_OURS = ['--no-same-owner', '--no-same-permissions']

/** What a look through an unpacked tree found (listTree). */
interface Unpacked {
  /** Every entry, relative, with `/`, each directory before what it holds. */
  entries: string[]
  /** The first entry that is not a file, a directory or a link (a device node, a FIFO). */
  special?: string
}

/** Lists the tree under `dir`, up to its first special entry. */
function listTree(dir: string): Unpacked {
  // A walk of its own: Node's recursive readdir costs half as much again (16,000 entries, 45 ms).
  const entries: string[] = []
  const pending = ['']
  for (let relative = pending.pop(); relative !== undefined; relative = pending.pop()) {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const name = relative ? `${relative}/${entry.name}` : entry.name
      if (entry.isDirectory()) pending.push(name)
      else if (!entry.isFile() && !entry.isSymbolicLink()) return { entries, special: name }
      entries.push(name)
    }
  }
  return { entries }
}

/**
 * Unpacks the archive open as `fd` into `tree`: one in parts (parts.ts) every run of parts by a tar
 * of its own, at once (one tar per core); one in one piece (an earlier version's), or whose parts
 * do not unpack so, by one tar. Every tar reads what it was handed, never a name, which another
 * job may have renamed another archive to meanwhile; and a tar reading its stdin refuses
 * compressed data it was not told of. A `.tar` whose index does not account for every byte is cut
 * short or was never whole, and is refused: unlike zstd, tar can take a cut archive for a shorter
 * one. Returns what it holds (listTree); one with a special entry leaves `tree` unfinished.
 */
async function unpack(
  archive: string,
  fd: number,
  scratch: string,
  tree: string
): Promise<Unpacked> {
  const inParts = archive.endsWith(FORMATS[0])
  const ranges = inParts ? partRanges(fd) : undefined
  if (inParts && !ranges) {
    throw new Error('its end is not the index venv-guard writes (cut short, or not written whole)')
  }
  const runs = ranges ? joinRanges(ranges, os.availableParallelism()) : []
  if (runs.length > 1) {
    try {
      return await unpackParts(fd, runs, scratch, tree)
    } catch (error) {
      info(
        `Cache: ${archive} did not unpack in parts (${(error as Error).message}); unpacking it whole.`
      )
      removeAll(tree)
      fs.mkdirSync(tree)
    }
  }
  await tar(['-x', '-f', '-', ...compression(archive), ...UNPACK_AS_OURS, '-C', tree], fd)
  return listTree(tree)
}

/**
 * Each run of parts (one per core) is unpacked into a directory of its own, then the trees are merged by renaming, never
 * through a link: tar keeps a link it unpacks from leading its later entries elsewhere, but only
 * within one run, so one part's `x -> /etc` must never meet another part's `x/passwd`. Each run's
 * tree is listed as soon as its tar is done, while the others work.
 */
async function unpackParts(
  fd: number,
  runs: ByteRange[],
  scratch: string,
  tree: string
): Promise<Unpacked> {
  // All made before any tar starts: a failure here must leave no tar running.
  const intos = runs.map((_, i) => path.join(scratch, `part-${i}`))
  for (const into of intos) fs.mkdirSync(into)
  const parts = runs.map((range, i) => ({
    into: intos[i],
    unpacked: unpackRange(fd, range, path.join(scratch, `${i}.tar`), intos[i])
  }))
  const listed = await allDone(
    parts.map(({ into, unpacked }) => unpacked.then(() => listTree(into)))
  )
  const special = listed.find(part => part.special !== undefined)
  if (special) return special
  for (const { into } of parts) mergeTree(into, tree)
  // A directory two parts share is listed twice; its first listing comes before what it holds.
  return { entries: listed.flatMap(part => part.entries) }
}

/**
 * Unpacks `range` of the archive open as `fd` into `into`: read in place by a range reader piped
 * into tar (a copy of a quarter of the venv costs the kernel new pages: 0.7 s against 0.23 s for
 * the real stack's two runs), else copied to `copy` first.
 */
async function unpackRange(
  fd: number,
  range: ByteRange,
  copy: string,
  into: string
): Promise<void> {
  const unpack = ['-x', '-b', '256', ...UNPACK_AS_OURS, '-C', into]
  const reader = rangeReader(range)
  if (!reader || !onPath(reader.command)) {
    copyRange(fd, range, copy)
    return tar([...unpack, '-f', copy])
  }
  let bytes: Readable | undefined
  const reading = run(reader.command, reader.args, {
    handOver: fd,
    pipeTo: stdout => (bytes = stdout)
  })
  const [read, unpacked] = await allDone([reading, runTar([...unpack, '-f', '-'], bytes)] as const)
  // The reader's failure first: it explains tar's, and a reader that ended early leaves tar a
  // shorter archive, which it may take for a whole one.
  succeeded(reader.command, read)
  succeeded('tar', unpacked)
}

/**
 * Moves what `from` holds into `into`: an entry `into` lacks by renaming it, a directory both have
 * by merging them. Anything else both have (a link and a directory above all) is an archive that
 * is not what venv-guard writes.
 */
function mergeTree(from: string, into: string): void {
  for (const name of fs.readdirSync(from)) {
    const source = path.join(from, name)
    const target = path.join(into, name)
    const existing = fs.lstatSync(target, { throwIfNoEntry: false })
    if (!existing) {
      fs.renameSync(source, target)
    } else if (existing.isDirectory() && fs.lstatSync(source).isDirectory()) {
      mergeTree(source, target)
    } else {
      throw new Error(`two of its parts hold ${name}`)
    }
  }
}

/**
 * Opens `archive` once for all that reads it: a regular file, never through a link, nor a FIFO
 * that would keep the open waiting (whoever can write to the cache-dir may have swapped either in
 * since it was listed).
 */
async function withOpenArchive<T>(archive: string, work: (fd: number) => Promise<T>): Promise<T> {
  const flags =
    fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0)
  const fd = fs.openSync(archive, flags)
  try {
    if (!fs.fstatSync(fd).isFile()) throw new Error('it is not a regular file')
    return await work(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Unpacks `archive` next to `dir`, then moves what it holds into `dir` (absent or empty), entry by
 * entry, so that the directory itself stays the one the restore started with (venv/marker.ts
 * knows it by that). A broken archive leaves nothing; a directory another job filled meanwhile
 * is left as that job made it (and unlisted). Undefined when it did not restore.
 */
async function restoreArchive(
  archive: string,
  dir: string
): Promise<{ entries?: string[] } | undefined> {
  const parent = path.dirname(dir)
  fs.mkdirSync(parent, { recursive: true })
  const scratch = fs.mkdtempSync(path.join(parent, '.venv-guard-restore-'))
  return withScratch(scratch, async () => {
    try {
      const tree = path.join(scratch, 'tree')
      fs.mkdirSync(tree)
      const { entries, special } = await withOpenArchive(archive, fd =>
        unpack(archive, fd, scratch, tree)
      )
      if (special) throw new Error(`it holds ${special}, which is no file, directory or link`)
      const base = path.basename(dir)
      const unpacked = path.join(tree, base)
      if (!isDirectory(unpacked)) throw new Error(`it holds no directory ${base}`)
      fs.mkdirSync(dir, { recursive: true })
      if (fs.readdirSync(dir).length > 0) {
        info(`Cache: ${dir} was filled by another job meanwhile; it is used as that job left it.`)
        return {}
      }
      for (const entry of fs.readdirSync(unpacked)) {
        fs.renameSync(path.join(unpacked, entry), path.join(dir, entry))
      }
      info(`Restored ${dir} from ${archive}`)
      return {
        entries: entries.flatMap(name =>
          name.startsWith(`${base}/`) ? [name.slice(base.length + 1)] : []
        )
      }
    } catch (error) {
      warn(`Could not restore ${dir} from ${archive}: ${(error as Error).message}`)
      return undefined
    }
  })
}

/**
 * `dir` as one tar (parts.ts) at `archive`: in parts where they are written, else, or where this
 * tar cannot write them (BusyBox's has no `-b` or `-T`), in one piece, its index naming one part.
 */
async function pack(dir: string, archive: string, work: string): Promise<void> {
  if (savesArchivesInParts()) {
    try {
      return await packParts(dir, archive, work)
    } catch (error) {
      info(
        `Cache: ${dir} was not archived in parts (${(error as Error).message}); archiving it whole.`
      )
      removeAll(archive)
      removeAll(work)
    }
  }
  // A name starting with '-' is not an option.
  await tar(['-c', '-f', archive, '-C', path.dirname(dir), '--', path.basename(dir)])
  fs.appendFileSync(archive, indexTrailer([fs.statSync(archive).size]))
}

/** `dir` as one tar in parts (parts.ts), written to `archive` through the scratch `work`. */
async function packParts(dir: string, archive: string, work: string): Promise<void> {
  fs.mkdirSync(work)
  const runs = splitEntries(dir, PARTS)
  const parts = runs.map((_, i) => path.join(work, `${i}.tar`))
  await allDone(
    runs.map(async (names, i) => {
      const list = path.join(work, `${i}.list`)
      fs.writeFileSync(list, names.map(name => `${name}\0`).join(''))
      // One 512-byte block per record, so that a part ends in exactly two zero blocks.
      const listed = ['--no-recursion', '--null', '-T', list]
      await tar(['-c', '-b', '1', '-f', parts[i], '-C', path.dirname(dir), ...listed])
      if (i < runs.length - 1) dropEndOfArchive(parts[i])
    })
  )
  concatenate(archive, parts, indexTrailer(parts.map(part => fs.statSync(part).size)))
}

/**
 * A local directory of `<key>.tar` archives (in parts, see parts.ts, but on Windows); the
 * `<key>.tar.zst` (where zstd is on PATH) and `<key>.tar.gz` archives of earlier versions are
 * still restored, whole. Both directions are atomic: an archive is written under a temporary name and renamed
 * into place, so two jobs saving at once each rename a whole archive; a restore unpacks next to
 * its target and renames the result into place, so a broken archive never leaves half a directory
 * behind.
 */
export function dirStore(root: string, zstd = onPath('zstd')): CacheStore {
  return {
    name: `cache-dir ${root}`,
    replaces: true,
    unpacksInPlace: false,
    async restore(dir, key, prefixes = []) {
      for (const found of archiveCandidates(listArchives(root), key, prefixes, zstd)) {
        const restored = await restoreArchive(path.join(root, found.name), dir)
        if (restored) return { key: found.key, ...restored }
      }
      return undefined
    },
    async save(dir, key, unchanged) {
      fs.mkdirSync(root, { recursive: true })
      const extension = FORMATS[0]
      const temporary = path.join(
        root,
        `.${key}.${process.pid}.${randomBytes(4).toString('hex')}${extension}`
      )
      const work = `${temporary}.parts`
      return withScratch(temporary, () =>
        withScratch(work, async () => {
          await pack(dir, temporary, work)
          if (unchanged && !unchanged()) {
            warn(
              `Cache: ${dir} changed while it was archived (a process a later step started?); the archive is discarded, not saved.`
            )
            return false
          }
          fs.renameSync(temporary, path.join(root, `${key}${extension}`))
          // One entry per key: an earlier version's, in another format, would linger.
          for (const other of FORMATS.slice(1))
            fs.rmSync(path.join(root, `${key}${other}`), { force: true })
          info(`Saved ${dir} to ${path.join(root, key + extension)}`)
          return true
        })
      )
    }
  }
}
