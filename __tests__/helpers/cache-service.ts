import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A small fake of GitHub's cache service v2 on 127.0.0.1, enough for the real @actions/cache
 * client: the Twirp JSON calls GetCacheEntryDownloadURL, CreateCacheEntry and
 * FinalizeCacheEntryUpload, the Azure block blob PUT the client's Azure SDK sends for an archive
 * (small ones in a single PUT), and the download GET (the client uses plain HTTP for hosts other
 * than *.blob.core.windows.net).
 */
export interface CacheEntry {
  id: number
  key: string
  version: string
  blob?: Buffer
  finalized: boolean
}

export interface FakeCacheService {
  /** ACTIONS_CACHE_SERVICE_V2, ACTIONS_RESULTS_URL and ACTIONS_RUNTIME_TOKEN for the action. */
  env: Record<string, string>
  entries: CacheEntry[]
  /** Every request, as `METHOD path` (Twirp calls by method name). */
  requests: string[]
  /** Answers the next call of a Twirp method with this status and body instead of serving it. */
  failNext(method: string, status: number, body: object): void
  close(): Promise<void>
}

const TWIRP = '/twirp/github.actions.results.api.v1.CacheService/'
const TOKEN = 'fake-runtime-token'

export async function startCacheService(): Promise<FakeCacheService> {
  const entries: CacheEntry[] = []
  const requests: string[] = []
  const failures = new Map<string, { status: number; body: object }>()
  let base = ''

  const twirp = (method: string, body: Record<string, unknown>): [number, object] => {
    const failure = failures.get(method)
    if (failure) {
      failures.delete(method)
      return [failure.status, failure.body]
    }
    const key = String(body.key ?? '')
    const version = String(body.version ?? '')
    switch (method) {
      case 'GetCacheEntryDownloadURL': {
        const usable = entries.filter(e => e.finalized && e.version === version).reverse()
        const restoreKeys = (body.restore_keys as string[] | undefined) ?? []
        const found =
          usable.find(e => e.key === key) ??
          restoreKeys.map(p => usable.find(e => e.key.startsWith(p))).find(e => e !== undefined)
        return found
          ? [
              200,
              {
                ok: true,
                signed_download_url: `${base}/download/${found.id}`,
                matched_key: found.key
              }
            ]
          : [200, { ok: false }]
      }
      case 'CreateCacheEntry': {
        if (entries.some(e => e.key === key && e.version === version)) {
          return [
            409,
            {
              code: 'already_exists',
              msg: 'cache entry with the same key and version already exists'
            }
          ]
        }
        const entry = { id: entries.length + 1, key, version, finalized: false }
        entries.push(entry)
        return [
          200,
          { ok: true, signed_upload_url: `${base}/devstoreaccount1/caches/${entry.id}?sig=fake` }
        ]
      }
      case 'FinalizeCacheEntryUpload': {
        const entry = entries.find(e => e.key === key && e.version === version && e.blob)
        if (!entry) return [404, { code: 'not_found', msg: 'no uploaded entry' }]
        entry.finalized = true
        return [200, { ok: true, entry_id: String(entry.id) }]
      }
      default:
        return [404, { code: 'bad_route', msg: `no method ${method}` }]
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base)
      const body = Buffer.concat(chunks)
      const send = (
        status: number,
        payload: object | Buffer,
        headers: Record<string, string> = {}
      ): void => {
        const data = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload))
        res.writeHead(status, { 'content-length': String(data.length), ...headers })
        res.end(data)
      }
      if (req.method === 'POST' && url.pathname.startsWith(TWIRP)) {
        const method = url.pathname.slice(TWIRP.length)
        requests.push(`POST ${method}`)
        if (req.headers.authorization !== `Bearer ${TOKEN}`) {
          send(401, { code: 'unauthenticated', msg: 'no token' })
          return
        }
        const [status, answer] = twirp(method, JSON.parse(body.toString() || '{}'))
        send(status, answer, { 'content-type': 'application/json' })
        return
      }
      requests.push(`${req.method} ${url.pathname}${url.search}`)
      const upload = /^\/devstoreaccount1\/caches\/(\d+)$/.exec(url.pathname)
      if (req.method === 'PUT' && upload) {
        const entry = entries.find(e => e.id === Number(upload[1]))
        // Only a whole blob in one PUT; block lists (comp=block) would mean a bigger archive.
        if (
          !entry ||
          url.searchParams.has('comp') ||
          req.headers['x-ms-blob-type'] !== 'BlockBlob'
        ) {
          send(400, { error: 'unexpected upload' })
          return
        }
        entry.blob = body
        send(201, Buffer.alloc(0), {
          etag: `"0x${entry.id}"`,
          'last-modified': new Date().toUTCString(),
          'x-ms-request-id': `req-${entry.id}`,
          'x-ms-version': '2025-01-05',
          'x-ms-request-server-encrypted': 'true'
        })
        return
      }
      const download = /^\/download\/(\d+)$/.exec(url.pathname)
      const entry = download && entries.find(e => e.id === Number(download[1]))
      if (req.method === 'GET' && entry?.blob) {
        send(200, entry.blob, { 'content-type': 'application/octet-stream' })
        return
      }
      send(404, { error: 'not found' })
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    env: {
      ACTIONS_CACHE_SERVICE_V2: 'true',
      ACTIONS_RESULTS_URL: `${base}/`,
      ACTIONS_RUNTIME_TOKEN: TOKEN
    },
    entries,
    requests,
    failNext: (method, status, body) => failures.set(method, { status, body }),
    close: () => new Promise<void>(resolve => server.close(() => resolve()))
  }
}
