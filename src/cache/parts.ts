import * as fs from 'node:fs'
import * as path from 'node:path'
import { Transform } from 'node:stream'

/**
 * A cache-dir archive in parts, so that a restore unpacks them side by side: creating thousands
 * of files is kernel work on one core per tar. The archive stays one ordinary `.tar.zst`: a zstd
 * skippable frame (which every zstd decoder skips) lists the parts' sizes, then each part is a zstd
 * frame of its own holding a run of the tar's entries, every part but the last without the tar's
 * end-of-archive blocks, so that together they decompress to one tar. Pure but for files.
 */

/** zstd's first skippable-frame magic number: decoders skip such a frame whole. */
const SKIPPABLE_MAGIC = 0x184d2a50
const INDEX_TAG = 'venv-guard-parts'
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

/** The skippable frame that opens an archive in parts: the parts' compressed sizes. */
export function indexFrame(sizes: number[]): Buffer {
  const data = Buffer.from(JSON.stringify({ [INDEX_TAG]: sizes }))
  const header = Buffer.alloc(8)
  header.writeUInt32LE(SKIPPABLE_MAGIC, 0)
  header.writeUInt32LE(data.length, 4)
  return Buffer.concat([header, data])
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
 * The parts' byte ranges in `archive`, or undefined when it does not start with an index that
 * accounts for every byte after it (an archive in one piece, or one that is not what it says).
 */
export function partRanges(archive: string): ByteRange[] | undefined {
  const fd = fs.openSync(archive, 'r')
  try {
    const header = Buffer.alloc(8)
    if (fs.readSync(fd, header, 0, 8, 0) < 8) return undefined
    if (header.readUInt32LE(0) !== SKIPPABLE_MAGIC) return undefined
    const length = header.readUInt32LE(4)
    if (length > 1 << 16) return undefined
    const data = Buffer.alloc(length)
    if (fs.readSync(fd, data, 0, length, 8) < length) return undefined
    const sizes: unknown = (JSON.parse(data.toString('utf8')) as Record<string, unknown>)[INDEX_TAG]
    if (!Array.isArray(sizes) || sizes.length === 0 || sizes.length > MAX_PARTS) return undefined
    if (!sizes.every(s => Number.isSafeInteger(s) && (s as number) > 0)) return undefined
    let start = 8 + length
    const ranges = (sizes as number[]).map(size => ({ start, end: (start += size) }))
    return start === fs.fstatSync(fd).size ? ranges : undefined
  } catch {
    return undefined
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * What passes a part on its way from tar to zstd: all of it for the last part; for the others all
 * but the end-of-archive blocks, which must be exactly what a tar with a blocking factor of 1
 * writes there (two zero blocks), or the part is refused.
 */
export function holdBackEnd(last: boolean): Transform {
  let tail = Buffer.alloc(0)
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const all = Buffer.concat([tail, chunk])
      const cut = Math.max(0, all.length - END_OF_ARCHIVE)
      tail = all.subarray(cut)
      done(null, all.subarray(0, cut))
    },
    flush(done) {
      if (last) return done(null, tail)
      if (tail.length === END_OF_ARCHIVE && tail.every(byte => byte === 0)) return done()
      done(new Error('a part of the archive did not end with two zero blocks'))
    }
  })
}

/** Copies `range` of `file` into a file of its own. */
export function copyRange(file: string, range: ByteRange, into: string): void {
  const from = fs.openSync(file, 'r')
  try {
    const to = fs.openSync(into, 'wx')
    try {
      const buffer = Buffer.allocUnsafe(1 << 20)
      for (let at = range.start; at < range.end;) {
        const read = fs.readSync(from, buffer, 0, Math.min(buffer.length, range.end - at), at)
        if (read === 0) throw new Error(`${file} ended early`)
        fs.writeSync(to, buffer, 0, read)
        at += read
      }
    } finally {
      fs.closeSync(to)
    }
  } finally {
    fs.closeSync(from)
  }
}

/** Appends files to `into`, after `head`. */
export function concatenate(into: string, head: Buffer, files: string[]): void {
  const to = fs.openSync(into, 'wx')
  try {
    fs.writeSync(to, head)
    const buffer = Buffer.allocUnsafe(1 << 20)
    for (const file of files) {
      const from = fs.openSync(file, 'r')
      try {
        for (let read; (read = fs.readSync(from, buffer, 0, buffer.length, null)) > 0;)
          fs.writeSync(to, buffer, 0, read)
      } finally {
        fs.closeSync(from)
      }
    }
  } finally {
    fs.closeSync(to)
  }
}
