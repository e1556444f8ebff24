import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import { readRequirementsFile, type FileReader } from './requirements-file.js'

/**
 * One reading of the files that decide a venv. Each file is read once: the parsers get those
 * bytes, and the venv's fingerprint (so the cache key and the "up to date" check) gets their
 * digest, so the key describes the bytes that were checked and parsed, not a later rewrite. Files
 * that are only hashed (cache-dependency-path, local archives and projects) are streamed: their
 * size does not matter.
 */
export class InputReads {
  private readonly bytes = new Map<string, Buffer>()
  private readonly digests = new Map<string, string>()

  /** The file's bytes, read on the first call; `reader` checks it first (the default: a requirements file). */
  read(file: string, reader: FileReader = readRequirementsFile): Buffer {
    let bytes = this.bytes.get(file)
    if (bytes === undefined) {
      bytes = reader(file)
      this.bytes.set(file, bytes)
      this.digests.set(file, digestOf(bytes))
    }
    return bytes
  }

  /** Each file's digest: of the bytes read, or streamed from the file now. */
  digestsOf(files: string[]): Record<string, string> {
    const result: Record<string, string> = {}
    for (const file of [...new Set(files)].sort()) {
      let digest = this.digests.get(file)
      if (digest === undefined) {
        digest = fileDigest(file)
        this.digests.set(file, digest)
      }
      result[file] = digest
    }
    return result
  }
}

function digestOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/**
 * A file's SHA-256, read in chunks; a file that cannot be read is described by why, so that it
 * turning readable later changes the description too.
 */
export function fileDigest(file: string): string {
  let fd: number
  try {
    // Checked before opening: opening a FIFO waits for a writer.
    if (!fs.statSync(file).isFile()) return 'not a regular file'
    fd = fs.openSync(file, 'r')
  } catch (error) {
    return `unreadable: ${(error as NodeJS.ErrnoException).code ?? 'error'}`
  }
  try {
    const hash = createHash('sha256')
    const chunk = Buffer.alloc(1024 * 1024)
    for (;;) {
      const read = fs.readSync(fd, chunk, 0, chunk.length, null)
      if (read === 0) break
      hash.update(chunk.subarray(0, read))
    }
    return hash.digest('hex')
  } catch (error) {
    return `unreadable: ${(error as NodeJS.ErrnoException).code ?? 'error'}`
  } finally {
    fs.closeSync(fd)
  }
}
