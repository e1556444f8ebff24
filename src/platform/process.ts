import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import type { Readable } from 'node:stream'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ActionError, errorMessage } from '../report/diagnostic.js'
import { afterOutput, info, UntrustedOutput } from '../report/log.js'
import { ownProcessGroup, treeStop } from './os.js'

export interface RunOptions {
  cwd?: string
  /** Variables to set (a string) or remove (undefined) on top of this process's environment. */
  env?: Record<string, string | undefined>
  /** Stream the child's output into the log as it comes. */
  stream?: boolean
  /** Shown instead of the argument list when it would reveal a secret. */
  display?: string
  /** Stop the child, with what it started, after this long; the result then says timedOut. */
  timeoutMs?: number
  /** What the child reads on stdin, as it comes (else it reads nothing). */
  input?: Readable
  /**
   * What this child reads as its stdin, the kernel passing the bytes, which never go through this
   * process: another child's stdout (its `pipeTo`), closed here once handed over, or an open file
   * (the caller's to close). Instead of `input`.
   */
  handOver?: Readable | number
  /** Given the child's stdout at once, unread, to hand over to another child, instead of into the result. */
  pipeTo?: (stdout: Readable) => void
  /** Called with what the child writes to stderr, as it comes (it is in the result as well). */
  onStderr?: (chunk: Buffer) => void
  /** Stops the child, with what it started, when aborted; the result then says stopped. */
  signal?: AbortSignal
}

export interface RunResult {
  exitCode: number
  stdout: string
  stderr: string
  timedOut: boolean
  /** Stopped by its signal (RunOptions.signal). */
  stopped?: boolean
}

export function childEnv(
  overrides: Record<string, string | undefined> = {}
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries({ ...process.env, ...overrides })) {
    if (value !== undefined) env[key] = value
  }
  return env
}

/**
 * How long a probe (a short script run by an interpreter) may take: a fraction of a second when
 * all is well; an interpreter silent this long (a hung shim, a dead network drive) is given up.
 */
export const PROBE_TIMEOUT_MS = 10_000

/** The children running now: a cancelled step stops them with everything they started. */
const running = new Set<ChildProcess>()
let cancelled = false

function stopTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  const stop = treeStop(child.pid, signal)
  try {
    if (stop.kind === 'group') process.kill(stop.pid, stop.signal)
    else spawnSync(stop.command, stop.args, { stdio: 'ignore', windowsHide: true })
  } catch {
    // gone already
  }
}

/**
 * Runs a program with an argument array, never through a shell, in a process group of its own so
 * that it is stopped with everything it starts (pip's build backends, compileall's workers). The
 * exit status is returned, not thrown; a program that cannot be started throws an ActionError that
 * says so. Node's child_process, not @actions/exec: that one starts no process group, has no
 * timeout and does not tell the child's pid, so neither a silent interpreter nor a cancelled step
 * could be stopped.
 */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  // Stopped before it started: it never starts.
  if (options.signal?.aborted)
    return Promise.resolve({ exitCode: -1, stdout: '', stderr: '', timedOut: false, stopped: true })
  if (options.stream) info(`[command] ${options.display ?? [command, ...args].join(' ')}`)
  return new Promise((resolve, reject) => {
    // Once the step is cancelled nothing new starts, and the caller never goes on (see onCancel).
    if (cancelled) return
    const handOver = options.handOver
    let child: ChildProcess
    try {
      child = spawn(command, args, {
        cwd: options.cwd,
        env: childEnv(options.env),
        // A pipe but for a hand-over: an input given later is piped in, none is ended at once.
        stdio: [handOver ?? 'pipe', 'pipe', 'pipe'],
        detached: ownProcessGroup(),
        windowsHide: true
      })
    } finally {
      // The child has its own copy, if it started: this end must not read what is meant for it,
      // nor keep the writer waiting.
      if (typeof handOver === 'object') handOver.destroy()
    }
    running.add(child)
    // Pipes, as spawned.
    const stdout = child.stdout as Readable
    const stderr = child.stderr as Readable
    const stdin = child.stdin
    if (stdin) {
      // A child that stops reading (it failed) must not fail the writer: its exit status tells.
      stdin.on('error', () => undefined)
      // An input that fails or is closed ends the child's: it must never wait for what will not come.
      const endInput = () => stdin.end()
      if (options.input) options.input.on('error', endInput).on('close', endInput).pipe(stdin)
      else stdin.end()
    }
    const out: Buffer[] = []
    const err: Buffer[] = []
    // Both streams into stdout: the runner reads stdout and stderr apart, and a line of stderr
    // could arrive after command processing has resumed.
    const log = options.stream ? new UntrustedOutput() : undefined
    if (options.pipeTo) options.pipeTo(stdout)
    else
      stdout.on('data', (d: Buffer) => {
        out.push(d)
        log?.write(d)
      })
    stderr.on('data', (d: Buffer) => {
      err.push(d)
      log?.write(d)
      options.onStderr?.(d)
    })
    let timedOut = false
    let stopped = false
    let drain: NodeJS.Timeout | undefined
    let settled = false
    const result = (exitCode: number): RunResult => ({
      exitCode,
      stdout: Buffer.concat(out).toString(),
      stderr: Buffer.concat(err).toString(),
      timedOut,
      stopped
    })
    const settle = (then: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(drain)
      options.signal?.removeEventListener('abort', stop)
      running.delete(child)
      log?.end()
      if (!cancelled) then()
    }
    // A timeout stops the child and what it started at once; what it started may hold the pipes
    // open, so the result does not wait for them.
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true
            stopTree(child, 'SIGKILL')
            settle(() => resolve(result(-1)))
          }, options.timeoutMs)
    // Stopped by its signal: what it started too, and the result waits for the child's exit (on
    // Windows taskkill returns before the processes are gone), at most the drain.
    const stop = () => {
      stopped = true
      // One that exited already is only waited for: its pid may be another process's by now.
      if (child.exitCode === null && child.signalCode === null) stopTree(child, 'SIGKILL')
      clearTimeout(drain)
      drain = setTimeout(() => settle(() => resolve(result(-1))), DRAIN_MS)
    }
    options.signal?.addEventListener('abort', stop, { once: true })
    child.on('error', error =>
      settle(() =>
        reject(
          new ActionError(
            `Could not start ${command}: ${errorMessage(error)} If it was there a moment ago, something removed it or changed its permissions while venv-guard ran; run the step again.`
          )
        )
      )
    )
    const exitCode = (code: number | null, signal: NodeJS.Signals | null) =>
      code ?? (signal ? 128 : -1)
    // A program that exits while something it started keeps its output open (a build backend's
    // daemon) would hold 'close' forever: after a short drain, what is left of its group stops.
    child.on('exit', (code, signal) => {
      // Settled already (a timeout): its pid may be another process's by now, so no more stops.
      if (settled || stopped) {
        stdout.destroy()
        stderr.destroy()
        settle(() => resolve(result(-1)))
        return
      }
      drain = setTimeout(() => {
        stopTree(child, 'SIGKILL')
        stdout.destroy()
        stderr.destroy()
        settle(() => resolve(result(exitCode(code, signal))))
      }, DRAIN_MS)
    })
    child.on('close', (code, signal) =>
      settle(() => resolve(result(stopped ? -1 : exitCode(code, signal))))
    )
  })
}

/**
 * Every one's value, once all of `work` has ended, else the first failure: no process started for
 * one (a tar, a pip run) outlives the work the caller does next (its scratch, its judgement).
 */
export async function allDone<T extends readonly unknown[]>(work: {
  [K in keyof T]: Promise<T[K]>
}): Promise<T> {
  const settled = await Promise.allSettled(work as readonly Promise<unknown>[])
  const failed = settled.find(r => r.status === 'rejected')
  if (failed) throw (failed as PromiseRejectedResult).reason
  return settled.map(r => (r as PromiseFulfilledResult<unknown>).value) as unknown as T
}

/** Where scratch files go: the runner's temporary directory, else the system's. */
export function scratchDir(): string {
  return process.env.RUNNER_TEMP || os.tmpdir()
}

/**
 * Removes `file` and all it holds, directories without write permission too (an archive can hold
 * some, and without root their entries cannot be removed until they are writable again).
 */
export function removeAll(file: string): void {
  try {
    fs.rmSync(file, { recursive: true, force: true })
  } catch {
    const open = (dir: string): void => {
      fs.chmodSync(dir, 0o700)
      for (const entry of fs.readdirSync(dir, { withFileTypes: true }))
        if (entry.isDirectory()) open(path.join(dir, entry.name))
    }
    if (fs.lstatSync(file, { throwIfNoEntry: false })?.isDirectory()) open(file)
    fs.rmSync(file, { recursive: true, force: true })
  }
}

/** Scratch files and directories in use now: a cancelled step ends without its finally blocks. */
const scratch = new Set<string>()

/**
 * Runs `work` with a scratch file or directory (a temporary archive, an unpacking directory) that
 * is removed afterwards, and also when the step is cancelled meanwhile.
 */
export async function withScratch<T>(file: string, work: () => Promise<T>): Promise<T> {
  scratch.add(file)
  try {
    return await work()
  } finally {
    scratch.delete(file)
    removeAll(file)
  }
}

/** Removes the scratch files in use (see withScratch); what a cancelled step does last. */
export function removeScratch(): void {
  for (const file of scratch) removeAll(file)
  scratch.clear()
}

/** How long a program's output may stay open after it exited (see run). */
export const DRAIN_MS = 2000

/** How long the children get to stop on the first signal before they are killed. */
const GRACE_MS = 3000

/**
 * Stops every running child with everything it started when the runner cancels the step (SIGINT,
 * then SIGTERM): the signal first, as pip cleans up on it, then SIGKILL after a grace period, or
 * at once on a second signal. Then `stopped` says so, and the step ends.
 */
export function onCancel(stopped: (signal: NodeJS.Signals) => void): void {
  const handle = async (signal: NodeJS.Signals) => {
    const children = [...running]
    if (cancelled) {
      for (const child of children) stopTree(child, 'SIGKILL')
      return
    }
    cancelled = true
    for (const child of children) stopTree(child, signal)
    const exited = children.map(
      c =>
        new Promise(r => (c.exitCode !== null || c.signalCode !== null ? r(0) : c.once('exit', r)))
    )
    await Promise.race([Promise.all(exited), new Promise(r => setTimeout(r, GRACE_MS))])
    for (const child of children) stopTree(child, 'SIGKILL')
    removeScratch()
    stopped(signal)
    afterOutput(() => process.exit(1))
  }
  process.on('SIGINT', handle)
  process.on('SIGTERM', handle)
}

/**
 * A file shipped beside the module that uses it: next to its .ts in src/, and beside index.js in
 * the bundle, where scripts/build.mjs copies the Python helpers (their names are unique for that).
 */
export function shippedFile(moduleUrl: string, name: string): string {
  return path.join(path.dirname(fileURLToPath(moduleUrl)), name)
}
