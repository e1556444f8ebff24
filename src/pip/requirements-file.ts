import * as fs from 'node:fs'

// A requirements file's bytes as pip decodes them (a BOM, else UTF-8, else the locale's encoding),
// and the guard that refuses what is no requirements file before it is read whole.

function tryDecode(bytes: Buffer, encoding: string): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/** UTF-32, strict as Python's codec (Node's TextDecoder has no UTF-32). */
function decodeUtf32(bytes: Buffer, littleEndian: boolean): string | undefined {
  if (bytes.length % 4 !== 0) return undefined
  const chars: string[] = []
  for (let i = 0; i < bytes.length; i += 4) {
    const code = littleEndian ? bytes.readUInt32LE(i) : bytes.readUInt32BE(i)
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined
    chars.push(String.fromCodePoint(code))
  }
  return chars.join('')
}

const startsWith = (bytes: Buffer, prefix: number[]) => prefix.every((b, i) => bytes[i] === b)

/**
 * Python's "utf-16" and "utf-32" codecs, which pip applies after a little-endian BOM: one more
 * BOM right after it is consumed too, and its byte order wins.
 */
function decodeWithBom(
  bytes: Buffer,
  width: 2 | 4,
  decode: (data: Buffer, littleEndian: boolean) => string | undefined
): string | undefined {
  const le = width === 2 ? [0xff, 0xfe] : [0xff, 0xfe, 0, 0]
  const be = width === 2 ? [0xfe, 0xff] : [0, 0, 0xfe, 0xff]
  if (startsWith(bytes, le)) return decode(bytes.subarray(width), true)
  if (startsWith(bytes, be)) return decode(bytes.subarray(width), false)
  return decode(bytes, true)
}

const utf16 = (data: Buffer, littleEndian: boolean) =>
  tryDecode(data, littleEndian ? 'utf-16le' : 'utf-16be')

/**
 * The BOMs of pip 25 and later, in its order: UTF-32's before UTF-16's, whose little-endian BOM
 * begins UTF-32's (older pips, the other way round, garbled UTF-32-LE files).
 */
const BOMS: Array<[number[], (data: Buffer) => string | undefined]> = [
  [[0xef, 0xbb, 0xbf], data => tryDecode(data, 'utf-8')],
  [[0xff, 0xfe, 0, 0], data => decodeWithBom(data, 4, decodeUtf32)],
  [[0, 0, 0xfe, 0xff], data => decodeUtf32(data, false)],
  [[0xff, 0xfe], data => decodeWithBom(data, 2, utf16)],
  [[0xfe, 0xff], data => utf16(data, false)]
]

/** Python's names of Latin-1, which the WHATWG decoder would read as Windows-1252 instead. */
const LATIN_1 =
  /^(latin[-_]?1|latin|l1|iso[-_]?8859[-_]1|8859|cp819|ibm819|iso[-_]ir[-_]100|csisolatin1)$/i

/**
 * pip's decoding of a requirements file: a BOM, else a PEP 263 `coding:` comment in the first two
 * lines, else UTF-8 and then the locale's encoding (pip 25 on; older pips go straight to the
 * locale's, the same on Linux and macOS). An encoding Node does not know is pip's to judge: read
 * it as Latin-1, which never fails and keeps the ASCII structure.
 */
export function decodeRequirements(bytes: Buffer, fallback: string): string | undefined {
  for (const [bom, decode] of BOMS) {
    if (startsWith(bytes, bom)) return decode(bytes.subarray(bom.length))
  }
  for (const line of bytes.toString('latin1').split('\n').slice(0, 2)) {
    // pip's pattern is a bytes one: ASCII whitespace only.
    const declared = /coding[:=][ \t\n\r\f\v]*([-\w.]+)/.exec(line)
    if (line.startsWith('#') && declared) {
      const encoding = declared[1]
      let known = true
      try {
        new TextDecoder(encoding)
      } catch {
        known = false
      }
      return known && !LATIN_1.test(encoding)
        ? tryDecode(bytes, encoding)
        : bytes.toString('latin1')
    }
  }
  return tryDecode(bytes, 'utf-8') ?? tryDecode(bytes, fallback)
}

export type FileReader = (file: string) => Buffer

/** pip reads a requirements file whole: a larger one is no list of requirements. */
export const MAX_REQUIREMENTS_BYTES = 32 * 1024 * 1024

export interface FileProblem {
  kind: 'missing' | 'directory' | 'special' | 'too-large' | 'unreadable'
  /** What is wrong, to follow the file's name. */
  message: string
}

/**
 * Why a file cannot be a requirements file, checked before it is opened: only a regular file of a
 * sane size is read, so that `-r /dev/zero`, a FIFO or a huge file cannot hang the step.
 */
export function requirementsFileProblem(file: string): FileProblem | undefined {
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return code === 'ENOENT' || code === 'ENOTDIR'
      ? { kind: 'missing', message: 'does not exist' }
      : { kind: 'unreadable', message: `cannot be read (${code ?? String(error)})` }
  }
  if (stat.isDirectory()) return { kind: 'directory', message: 'is a directory' }
  if (!stat.isFile()) {
    return {
      kind: 'special',
      message: 'is not a regular file (a device, FIFO or socket can block or never end)'
    }
  }
  if (stat.size > MAX_REQUIREMENTS_BYTES) {
    return {
      kind: 'too-large',
      message: `is larger than ${MAX_REQUIREMENTS_BYTES / 1024 / 1024} MiB, more than any list of requirements`
    }
  }
  return undefined
}

/** What readRequirementsFile throws for a file it refuses to open, with the reason. */
export class FileProblemError extends Error {
  constructor(readonly problem: FileProblem) {
    super(problem.message)
    this.name = 'FileProblemError'
  }
}

/** Reads a requirements file after requirementsFileProblem found nothing wrong with it. */
export function readRequirementsFile(file: string): Buffer {
  const problem = requirementsFileProblem(file)
  if (problem) throw new FileProblemError(problem)
  return fs.readFileSync(file)
}
