import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { PassThrough } from 'node:stream'
import { recordPaths } from '../pip/dist-info.js'
import { moduleArgs } from '../python/launch.js'
import { run, scratchDir, shippedFile, withScratch, type RunResult } from '../platform/process.js'
import { errorMessage } from '../report/diagnostic.js'

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

/** The .py files a dist-info directory's RECORD puts in site-packages (scripts in bin/ aside). */
export function recordedSources(sitePackages: string, distInfo: string): string[] {
  return (recordPaths(sitePackages, distInfo) ?? [])
    .filter(rel => rel.endsWith('.py') && !rel.startsWith('..') && !rel.startsWith('"'))
    .map(rel => path.join(sitePackages, rel))
}

/**
 * The distributions' dist-info directories: a name starts with a letter or digit, as a project's
 * does; pip moves the one it replaces aside under another (`~ip-1.0.dist-info`), RECORD and all.
 */
function distInfos(sitePackages: string): string[] {
  try {
    return fs.readdirSync(sitePackages).filter(name => /^[A-Za-z0-9].*\.dist-info$/.test(name))
  } catch {
    return []
  }
}

/**
 * Whether a source has bytecode that Python would use: a `__pycache__/NAME.*.pyc` whose header
 * names the source's modification time and size (or a hash-based one, which checks itself).
 */
export function hasBytecode(source: string, listings = new Map<string, string[]>()): boolean {
  let stat: fs.Stats
  try {
    stat = fs.statSync(source)
  } catch {
    return true // no source, nothing to compile
  }
  const cache = path.join(path.dirname(source), '__pycache__')
  if (!listings.has(cache)) {
    try {
      listings.set(cache, fs.readdirSync(cache))
    } catch {
      listings.set(cache, [])
    }
  }
  const stem = `${path.basename(source, '.py')}.`
  return listings.get(cache)!.some(name => {
    if (!name.startsWith(stem) || !name.endsWith('.pyc')) return false
    const header = Buffer.alloc(16)
    let fd: number | undefined
    try {
      fd = fs.openSync(path.join(cache, name), 'r')
      if (fs.readSync(fd, header, 0, 16, 0) < 16) return false
    } catch {
      return false
    } finally {
      if (fd !== undefined) fs.closeSync(fd)
    }
    if (header.readUInt32LE(4) !== 0) return true
    const mtime = Math.floor(stat.mtimeMs / 1000) % 2 ** 32
    return header.readUInt32LE(8) === mtime && header.readUInt32LE(12) === stat.size % 2 ** 32
  })
}

/** How often a compile stream looks for distributions pip has finished installing. */
const WATCH_MS = 50
/** Files per batch a compiling worker is handed: small enough to share the tail out evenly. */
const BATCH = 40
const NEXT = 'venv-guard-next\n'

/**
 * Byte-compiles each distribution as pip finishes installing it, while pip goes on with the next:
 * pip writes a distribution's RECORD last, so a new RECORD means its files are all there. Workers
 * (compile_worker.py) ask for batches of files from one queue: while pip runs, one on each core
 * but pip's; once pip is done, what is left is shared out on every core.
 */
export class CompileStream {
  /** The files queued, by the watch or by finish. */
  readonly given = new Set<string>()
  private readonly known: Set<string>
  private readonly queue: string[] = []
  private readonly idle: PassThrough[] = []
  private readonly workers: Promise<RunResult>[] = []
  private ended = false
  private readonly timer: NodeJS.Timeout

  /** Starts watching `sitePackages`; what is installed there now is not this stream's. */
  constructor(
    private readonly python: string,
    private readonly version: { version: { minor: number } },
    private readonly sitePackages: string,
    private readonly cores: number = os.availableParallelism()
  ) {
    this.known = new Set(distInfos(sitePackages))
    for (let i = 0; i < Math.max(1, cores - 1); i++) this.startWorker()
    this.timer = setInterval(() => this.look(), WATCH_MS)
  }

  private startWorker(): void {
    const input = new PassThrough()
    let pending = ''
    const onStderr = (chunk: Buffer): void => {
      pending += chunk.toString()
      let at: number
      while ((at = pending.indexOf(NEXT)) >= 0) {
        pending = pending.slice(at + NEXT.length)
        this.serve(input)
      }
      pending = pending.slice(-NEXT.length)
    }
    // Without -I: compileall honours the same settings (PYTHONPYCACHEPREFIX, PYTHONOPTIMIZE) as
    // pip's own compiling and byteCompile's `python -m compileall`.
    const worker = shippedFile(import.meta.url, 'compile_worker.py')
    const started = run(this.python, [worker], { input, onStderr })
    // One that cannot start is a compile error, said at the end, not a failure in pip's middle.
    this.workers.push(
      started.catch((error: unknown): RunResult => ({
        exitCode: -1,
        stdout: '',
        stderr: `${errorMessage(error)}\n`,
        timedOut: false
      }))
    )
  }

  /** A worker asked for work: a batch, the end, or a wait for what pip installs next. */
  private serve(input: PassThrough): void {
    if (this.queue.length > 0) input.write(`${this.queue.splice(0, BATCH).join('\n')}\n\n`)
    else if (this.ended) input.end()
    else this.idle.push(input)
  }

  private add(files: string[]): void {
    for (const file of files) this.given.add(file)
    this.queue.push(...files)
    while (this.idle.length > 0 && (this.queue.length > 0 || this.ended))
      this.serve(this.idle.shift()!)
  }

  private look(): void {
    for (const distInfo of distInfos(this.sitePackages)) {
      if (this.known.has(distInfo)) continue
      if (!fs.existsSync(path.join(this.sitePackages, distInfo, 'RECORD'))) continue
      this.known.add(distInfo)
      this.add(recordedSources(this.sitePackages, distInfo).filter(f => !this.given.has(f)))
    }
  }

  /**
   * Once pip is done: `rest` (what it installed that the stream has not queued) joins the queue,
   * which is shared out on every core; resolves when all is compiled, with what compileall said.
   */
  async finish(rest: string[] = []): Promise<CompileResult> {
    clearInterval(this.timer)
    this.ended = true
    this.add(rest.filter(f => !this.given.has(f)))
    const wanted = Math.max(this.workers.length, compileProcesses(this.queue.length, this.cores))
    while (this.workers.length < wanted) this.startWorker()
    const results = await Promise.all(this.workers)
    const said = results.map(r => `${r.stdout}${r.stderr}`.split(NEXT).join('')).join('')
    // What a worker lost (it crashed) or another distribution's copy overwrote: compiled again.
    const listings = new Map<string, string[]>()
    const missed = [...this.given].filter(file => !hasBytecode(file, listings))
    const again = await byteCompile(this.python, this.version, missed, scratchDir())
    const failed = [...results, again].find(r => r.exitCode !== 0)
    return { exitCode: failed?.exitCode ?? 0, output: `${said}${again.output}` }
  }
}
