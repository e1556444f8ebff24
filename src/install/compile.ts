import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { moduleArgs } from '../python/launch.js'
import { run, withScratch } from '../platform/process.js'

/**
 * Below this many files a second compiling process costs more than it saves. compileall's own
 * `-j` is no help here: it starts a forkserver and its workers, about 0.35 s before the first file.
 */
const FILES_PER_PROCESS = 200

/**
 * The .py files compileall would compile under `dir`: all, but those in __pycache__ directories
 * and in the top-level entries named in `skip` (already compiled).
 */
export function sourcesToCompile(dir: string, skip: string[] = []): string[] {
  const skipped = new Set([...skip, '__pycache__'])
  let entries: string[]
  try {
    entries = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
  } catch {
    return []
  }
  return entries
    .filter(rel => rel.endsWith('.py'))
    .filter(rel => {
      const parts = rel.split(path.sep)
      return !skipped.has(parts[0]) && !parts.includes('__pycache__')
    })
    .sort()
    .map(rel => path.join(dir, rel))
}

/** The files dealt out to `processes` lists in turn, so that each gets a like share of the work. */
export function dealOut(files: string[], processes: number): string[][] {
  const lists: string[][] = Array.from({ length: processes }, () => [])
  files.forEach((file, i) => lists[i % processes].push(file))
  return lists.filter(list => list.length > 0)
}

/** How many compiling processes `count` files are worth, on this machine's cores. */
export function compileProcesses(count: number, cores: number = os.availableParallelism()): number {
  return Math.max(1, Math.min(cores, Math.floor(count / FILES_PER_PROCESS)))
}

export interface CompileResult {
  exitCode: number
  output: string
}

/**
 * Byte-compiles the given files as pip would, on every core: one `python -m compileall -i LIST`
 * per share, side by side. What compileall reported is returned, errors included.
 */
export async function byteCompile(
  python: string,
  version: { version: { minor: number } },
  files: string[],
  scratchDir: string
): Promise<CompileResult> {
  if (files.length === 0) return { exitCode: 0, output: '' }
  const lists = dealOut(files, compileProcesses(files.length))
  const results = await Promise.all(
    lists.map((list, i) => {
      const listFile = path.join(scratchDir, `venv-guard-compile-${process.pid}-${i}.txt`)
      return withScratch(listFile, () => {
        fs.writeFileSync(listFile, `${list.join('\n')}\n`)
        return run(python, [...moduleArgs(version, 'compileall'), '-q', '-i', listFile])
      })
    })
  )
  return {
    exitCode: results.find(r => r.exitCode !== 0)?.exitCode ?? 0,
    output: results.map(r => `${r.stdout}${r.stderr}`).join('')
  }
}
