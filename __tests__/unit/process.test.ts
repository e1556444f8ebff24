import { describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  DRAIN_MS,
  PROBE_TIMEOUT_MS,
  removeScratch,
  run,
  withScratch
} from '../../src/platform/process.js'

// POSIX shells stand in for pip and a build backend; Windows runs the same code without groups.
describe.skipIf(process.platform === 'win32')('run', () => {
  it('returns when the program exits, though something it started keeps its output open', async () => {
    const started = Date.now()
    const result = await run('sh', ['-c', 'sleep 60 & echo done'])
    expect(result).toMatchObject({ exitCode: 0, stdout: 'done\n', timedOut: false })
    // Well before the daemon's 60 s: the drain, not the daemon, decided.
    expect(Date.now() - started).toBeLessThan(DRAIN_MS + PROBE_TIMEOUT_MS)
  })

  it('stops a program that outlives its timeout, with what it started', async () => {
    const result = await run('sh', ['-c', 'sleep 60 & sleep 60'], { timeoutMs: 200 })
    expect(result).toMatchObject({ exitCode: -1, timedOut: true })
  })

  it('stops a program, with what it started, when its signal aborts, even before it starts', async () => {
    const started = Date.now()
    const stop = new AbortController()
    const running = run('sh', ['-c', 'sleep 60 & sleep 60'], { signal: stop.signal })
    setTimeout(() => stop.abort(), 200)
    expect(await running).toMatchObject({ exitCode: -1, timedOut: false, stopped: true })
    expect(Date.now() - started).toBeLessThan(DRAIN_MS + PROBE_TIMEOUT_MS)
    const early = await run('sh', ['-c', 'sleep 60'], { signal: AbortSignal.abort() })
    expect(early).toMatchObject({ exitCode: -1, stopped: true })
  })
})

describe.skipIf(process.platform === 'win32')('run, one child feeding another', () => {
  it("hands one child's output and an open file to another's stdin, unread here", async () => {
    let bytes: import('node:stream').Readable | undefined
    const feeding = run('sh', ['-c', 'printf "one\\ntwo\\n"'], { pipeTo: out => (bytes = out) })
    const counted = await run('wc', ['-l'], { handOver: bytes })
    expect((await feeding).exitCode).toBe(0)
    expect(counted.stdout.trim()).toBe('2')

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vg-hand-')), 'f')
    fs.writeFileSync(file, 'from the file')
    const fd = fs.openSync(file, 'r')
    try {
      expect((await run('cat', [], { handOver: fd })).stdout).toBe('from the file')
    } finally {
      fs.closeSync(fd)
    }
  })

  it('ends the feeder when its reader cannot start, and the reader when its feeder cannot', async () => {
    let bytes: import('node:stream').Readable | undefined
    // An endless feeder: only a closed pipe ends it.
    const feeding = run('yes', [], { pipeTo: out => (bytes = out) })
    await expect(run('/nonexistent/reader', [], { handOver: bytes })).rejects.toThrow(
      /Could not start/
    )
    expect((await feeding).exitCode).not.toBe(0)

    const none = run('/nonexistent/feeder', [], { pipeTo: out => (bytes = out) })
    const reading = run('cat', [], { handOver: bytes })
    await expect(none).rejects.toThrow(/Could not start/)
    expect(await reading).toMatchObject({ exitCode: 0, stdout: '' })
  })
})

describe('scratch files', () => {
  it('are removed after the work, when it fails, and by a cancelled step while in use', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-scratch-'))
    try {
      const file = (name: string) => path.join(dir, name)
      await withScratch(file('done'), async () => fs.writeFileSync(file('done'), 'x'))
      await expect(
        withScratch(file('failed'), async () => {
          fs.mkdirSync(file('failed'))
          throw new Error('tar failed')
        })
      ).rejects.toThrow('tar failed')
      let seen: string[] = []
      await withScratch(file('in-use'), async () => {
        fs.writeFileSync(file('in-use'), 'x')
        removeScratch() // what onCancel does before the step ends
        seen = fs.readdirSync(dir)
      })
      expect(seen).toEqual([])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
