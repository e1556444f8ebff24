import * as fs from 'node:fs'
import * as path from 'node:path'

/**
 * A cache-dir archive in parts, so that a restore unpacks them side by side: creating thousands
 * of files is kernel work on one core per tar. The archive stays one ordinary, uncompressed `.tar`:
 * each part is a run of the tar's entries, every part but the last without the tar's
 * end-of-archive blocks, so that together they are one tar; after its end comes the index of the
 * parts' sizes, which a tar never reads (it stops at the end-of-archive blocks). Uncompressed,
 * because decompressing costs a restore as much CPU as creating the files (two tars of the real
 * stack: 0.40–0.55 s with zstd, 0.23–0.30 s without), at about four times the disk.
 * Pure but for files.
 */

/** What ends an archive in parts: its index, the index's length (4 bytes), then this tag. */
const INDEX_TAG = Buffer.from('venv-guard-parts')
/** What a tar made with a blocking factor of 1 ends with: two zero blocks, no padding. */
export const END_OF_ARCHIVE = 1024

/** More parts than this in an index is no archive venv-guard wrote: each would start a tar. */
export const MAX_PARTS = 16

/**
 * What unpacking an entry costs, in bytes of content: creating a file is kernel work (an inode, a
 * directory entry, its times) worth about as much as writing this many bytes, on ext4 and on a
 * runner's disk alike. A venv of large extension modules and one of many small files both end in
 * parts that take about as long.
 */
const ENTRY_COST = 24 * 1024

/**
 * The entries under `dir`, as tar names relative to its parent (`./` first, so that no name reads
 * as an option), in walk order, cut into at most `count` runs that cost about as much to unpack
 * each (ENTRY_COST), a directory's entry never after what it holds. Files with other hard links go
 * in the first run, after `dir` and their directories: tar archives a link to a file it archived
 * before.
 */
export function splitEntries(dir: string, count: number): string[][] {
  const base = `./${path.basename(dir)}`
  const linked: string[] = []
  const rest: Array<{ name: string; cost: number }> = []
  const walk = (full: string, name: string): void => {
    for (const entry of fs
      .readdirSync(full, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const child = path.join(full, entry.name)
      const childName = `${name}/${entry.name}`
      const stat = entry.isFile() ? fs.lstatSync(child) : undefined
      if (stat && stat.nlink > 1) linked.push(childName)
      else rest.push({ name: childName, cost: ENTRY_COST + (stat?.size ?? 0) })
      if (entry.isDirectory()) walk(child, childName)
    }
  }
  walk(dir, base)
  const above = new Set<string>()
  for (const file of linked)
    for (let d = path.posix.dirname(file); d !== base; d = path.posix.dirname(d)) above.add(d)
  const others = rest.filter(e => !above.has(e.name))
  const total = others.reduce((sum, e) => sum + e.cost, 0)
  const runs: string[][] = Array.from({ length: count }, () => [])
  let spent = 0
  for (const { name, cost } of others) {
    // The run this entry's middle falls in, so that a large file sits where most of it belongs.
    runs[Math.min(count - 1, Math.floor(((spent + cost / 2) / total) * count))].push(name)
    spent += cost
  }
  // Walk order puts a directory before what it holds, so its mode is the one a restore keeps.
  runs[0] = [base, ...rest.filter(e => above.has(e.name)).map(e => e.name), ...linked, ...runs[0]]
  return runs.filter(run => run.length > 0)
}

/** What follows the tar in an archive in parts: the parts' sizes, their length, the tag. */
export function indexTrailer(sizes: number[]): Buffer {
  const data = Buffer.from(JSON.stringify(sizes))
  const length = Buffer.alloc(4)
  length.writeUInt32LE(data.length)
  return Buffer.concat([data, length, INDEX_TAG])
}

export interface ByteRange {
  start: number
  /** Exclusive. */
  end: number
}

/**
 * Adjacent parts joined into at most `count` ranges of about as many parts each: one tar per core
 * unpacks them. Parts but the last end without end-of-archive blocks, so a run of them is a tar.
 */
export function joinRanges(ranges: ByteRange[], count: number): ByteRange[] {
  const groups = Math.max(1, Math.min(count, ranges.length))
  return Array.from({ length: groups }, (_, g) => {
    const first = ranges[Math.floor((g * ranges.length) / groups)]
    const last = ranges[Math.floor(((g + 1) * ranges.length) / groups) - 1]
    return { start: first.start, end: last.end }
  })
}

/**
 * The parts' byte ranges in the archive open as `fd`, or undefined when it does not end with an
 * index that accounts for every byte before it (cut short, or not what it says). Reads by position:
 * the file's offset stays where it was.
 */
export function partRanges(fd: number): ByteRange[] | undefined {
  try {
    const size = fs.fstatSync(fd).size
    const end = Buffer.alloc(4 + INDEX_TAG.length)
    if (size < end.length || fs.readSync(fd, end, 0, end.length, size - end.length) < end.length)
      return undefined
    if (!end.subarray(4).equals(INDEX_TAG)) return undefined
    const length = end.readUInt32LE(0)
    if (length > 1 << 16 || length > size - end.length) return undefined
    const data = Buffer.alloc(length)
    const at = size - end.length - length
    if (fs.readSync(fd, data, 0, length, at) < length) return undefined
    const sizes: unknown = JSON.parse(data.toString('utf8'))
    if (!Array.isArray(sizes) || sizes.length === 0 || sizes.length > MAX_PARTS) return undefined
    if (!sizes.every(s => Number.isSafeInteger(s) && (s as number) > 0)) return undefined
    let start = 0
    const ranges = (sizes as number[]).map(part => ({ start, end: (start += part) }))
    return start === at ? ranges : undefined
  } catch {
    return undefined
  }
}

/**
 * Cuts a part's end-of-archive blocks off (all but the last part's), which must be exactly what a
 * tar with a blocking factor of 1 writes there (two zero blocks), or the part is refused.
 */
export function dropEndOfArchive(part: string): void {
  const fd = fs.openSync(part, 'r+')
  try {
    const size = fs.fstatSync(fd).size
    const end = Buffer.alloc(END_OF_ARCHIVE, 1)
    const read =
      size >= END_OF_ARCHIVE ? fs.readSync(fd, end, 0, END_OF_ARCHIVE, size - END_OF_ARCHIVE) : 0
    if (read < END_OF_ARCHIVE || !end.every(byte => byte === 0))
      throw new Error('a part of the archive did not end with two zero blocks')
    fs.ftruncateSync(fd, size - END_OF_ARCHIVE)
  } finally {
    fs.closeSync(fd)
  }
}

/** Copies `range` of the file open as `fd` into a file of its own, by position. */
export function copyRange(fd: number, range: ByteRange, into: string): void {
  const to = fs.openSync(into, 'wx')
  try {
    const buffer = Buffer.allocUnsafe(1 << 20)
    for (let at = range.start; at < range.end;) {
      const read = fs.readSync(fd, buffer, 0, Math.min(buffer.length, range.end - at), at)
      if (read === 0) throw new Error('the archive ended early')
      fs.writeSync(to, buffer, 0, read)
      at += read
    }
  } finally {
    fs.closeSync(to)
  }
}

/**
 * Writes `files` one after the other into `into`, then `tail`, removing each once it is copied:
 * uncompressed, the parts would hold the venv a second time beside the archive.
 */
export function concatenate(into: string, files: string[], tail: Buffer): void {
  const to = fs.openSync(into, 'wx')
  try {
    const buffer = Buffer.allocUnsafe(1 << 20)
    for (const file of files) {
      const from = fs.openSync(file, 'r')
      try {
        for (let read; (read = fs.readSync(from, buffer, 0, buffer.length, null)) > 0;)
          fs.writeSync(to, buffer, 0, read)
      } finally {
        fs.closeSync(from)
      }
      fs.rmSync(file)
    }
    fs.writeSync(to, tail)
  } finally {
    fs.closeSync(to)
  }
}
