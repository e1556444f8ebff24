import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'

/** How the index misbehaves. */
export type IndexFault = 'none' | 'error-500' | 'hang' | 'truncated-wheel' | 'wrong-hash'

export interface IndexServer {
  url: string
  /** Every path requested, for asserting what pip asked for. */
  requests: string[]
  fault: IndexFault
  /** Set to require HTTP basic auth with these credentials. */
  auth?: { user: string; password: string }
  close(): Promise<void>
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-')
}

/** A PEP 503 simple index on 127.0.0.1 over the wheels of a directory, with faults on demand. */
export async function startIndex(wheelhouse: string): Promise<IndexServer> {
  const sockets = new Set<import('node:net').Socket>()
  const state = {
    requests: [] as string[],
    fault: 'none' as IndexFault,
    auth: undefined as IndexServer['auth']
  }
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/'
    state.requests.push(url)
    if (state.auth) {
      const expected = `Basic ${Buffer.from(`${state.auth.user}:${state.auth.password}`).toString('base64')}`
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="index"' }).end()
        return
      }
    }
    if (state.fault === 'hang') return // never answers; pip's timeout must end it
    if (state.fault === 'error-500') {
      res.writeHead(500).end('internal error')
      return
    }
    const wheels = fs.readdirSync(wheelhouse).filter(f => f.endsWith('.whl'))
    const project = /^\/simple\/([^/]+)\/?$/.exec(url)
    if (project) {
      const links = wheels
        .filter(w => normalize(w.split('-')[0]) === normalize(project[1]))
        .map(w => {
          const digest = createHash('sha256')
            .update(fs.readFileSync(path.join(wheelhouse, w)))
            .digest('hex')
          const shown =
            state.fault === 'wrong-hash'
              ? digest.replace(/^./, c => (c === '0' ? '1' : '0'))
              : digest
          // Without a hash, a truncated wheel reaches pip's zip reader instead of its hash check.
          const fragment = state.fault === 'truncated-wheel' ? '' : `#sha256=${shown}`
          return `<a href="/files/${w}${fragment}">${w}</a><br>`
        })
      if (links.length === 0) {
        res.writeHead(404).end()
        return
      }
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end(`<!DOCTYPE html><html><body>${links.join('\n')}</body></html>`)
      return
    }
    const file = /^\/files\/([^/]+\.whl)$/.exec(url)
    if (file && wheels.includes(file[1])) {
      const data = fs.readFileSync(path.join(wheelhouse, file[1]))
      const body =
        state.fault === 'truncated-wheel' ? data.subarray(0, Math.floor(data.length / 2)) : data
      res
        .writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': body.length
        })
        .end(body)
      return
    }
    res.writeHead(404).end()
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/simple`,
    get requests() {
      return state.requests
    },
    get fault() {
      return state.fault
    },
    set fault(f: IndexFault) {
      state.fault = f
    },
    get auth() {
      return state.auth
    },
    set auth(a) {
      state.auth = a
    },
    close: () =>
      new Promise<void>(resolve => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}
