import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  download,
  STALL_SECONDS_VARIABLE,
  stallLimit,
  type StallLimit
} from '../../src/python/download.js'

vi.mock('@actions/core', () => import('../helpers/core.js'))

/** A mirror on 127.0.0.1 that answers as a slow or hanging server would. */
let server: http.Server
let base: string
const hits: Record<string, number> = {}
const timers = new Set<NodeJS.Timeout>()

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const name = req.url ?? '/'
    hits[name] = (hits[name] ?? 0) + 1
    if (name === '/ok') {
      res.end('{"files": []}')
    } else if (name === '/trickle') {
      // One byte every 100 ms, for ever: the 6-hour case of issue 21, sped up.
      res.writeHead(200, { 'content-length': 1_000_000 })
      const timer = setInterval(() => res.write('x'), 100)
      timers.add(timer)
      res.on('close', () => clearInterval(timer))
    } else if (name === '/silent') {
      // Accepts, then never answers.
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  base = `http://user:SECRET0pw@127.0.0.1:${(server.address() as AddressInfo).port}`
  process.env.RUNNER_TEMP = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-download-'))
})

afterAll(async () => {
  for (const timer of timers) clearInterval(timer)
  server.closeAllConnections()
  await new Promise<void>(resolve => server.close(() => resolve()))
  fs.rmSync(process.env.RUNNER_TEMP!, { recursive: true, force: true })
})

const fast: StallLimit = { windowMs: 600, minBytes: 1024 }

describe('download', () => {
  it('writes the file and leaves nothing else', async () => {
    const file = await download('the manifest', `${base}/ok`, '', 'pypy-manifest-url', fast)
    expect(fs.readFileSync(file, 'utf8')).toBe('{"files": []}')
    fs.rmSync(file)
    expect(fs.readdirSync(process.env.RUNNER_TEMP!)).toEqual([])
  })

  it('ends a trickle once a window brings too little, once, naming the URL without its password and the mirror input', async () => {
    const started = Date.now()
    const failure = download('PyPy 7.3.17', `${base}/trickle`, '', 'pypy-manifest-url', fast)
    await expect(failure).rejects.toThrow(
      /^Downloading PyPy 7\.3\.17 from http:\/\/user:\*\*\*@127\.0\.0\.1:\d+\/trickle failed: it stalled, fewer than 1 KiB arrived within 0\.6 s \(\d+ bytes in all\)\. The server hangs or is too slow for this runner: set pypy-manifest-url to a mirror the runner reaches quickly, or run the job again\.$/
    )
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(hits['/trickle']).toBe(1)
    expect(fs.readdirSync(process.env.RUNNER_TEMP!)).toEqual([])
  })

  it('ends a request whose answer never comes', async () => {
    const failure = download('the manifest', `${base}/silent`, '', 'python-manifest-url', fast)
    await expect(failure).rejects.toThrow(
      /\/silent failed: it stalled, fewer than 1 KiB arrived within 0\.6 s \(0 bytes in all\)\. .*set python-manifest-url to a mirror/
    )
    expect(hits['/silent']).toBe(1)
  })

  it('does not retry a 404', async () => {
    await expect(
      download('the manifest', `${base}/missing`, '', 'python-manifest-url', fast)
    ).rejects.toThrow(/failed: HTTP 404, nothing is there\. Check python-manifest-url/)
    expect(hits['/missing']).toBe(1)
  })
})

describe('stallLimit', () => {
  it('is 60 s unless the variable says otherwise', () => {
    expect(stallLimit({})).toEqual({ windowMs: 60_000, minBytes: 16_384 })
    expect(stallLimit({ [STALL_SECONDS_VARIABLE]: '2.5' }).windowMs).toBe(2_500)
    expect(stallLimit({ [STALL_SECONDS_VARIABLE]: 'soon' }).windowMs).toBe(60_000)
    expect(stallLimit({ [STALL_SECONDS_VARIABLE]: '0' }).windowMs).toBe(60_000)
  })
})
