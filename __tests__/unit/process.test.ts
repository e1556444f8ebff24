import { describe, expect, it } from 'vitest'
import { DRAIN_MS, PROBE_TIMEOUT_MS, run } from '../../src/platform/process.js'

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
})
