/**
 * Downloads of manifests and interpreter archives. The HTTP client is tool-cache's own
 * (@actions/http-client: the runner's proxy, redirects that drop the token on another host), with
 * what tool-cache's downloadTool lacks: a download that stalls ends, so a server that trickles a
 * byte every few seconds cannot hold the step until the job's time limit.
 */
import * as httpm from '@actions/http-client'
import * as tc from '@actions/tool-cache'
import * as crypto from 'node:crypto'
import * as fs from 'node:fs'
import { scratchDir } from '../platform/process.js'
import * as path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ActionError, errorMessage } from '../report/diagnostic.js'
import { redactUrlCredentials } from '../report/secrets.js'

const TITLE = { title: 'venv-guard: Python setup failed' }

/**
 * A download stalls when fewer than `minBytes` arrive within `windowMs` (nothing at all, or a
 * trickle). Bandwidth that slow moves a 30 MB archive in hours, so a stall is not retried.
 */
export interface StallLimit {
  windowMs: number
  minBytes: number
}

/** The variable that shortens (tests) or lengthens (a slow mirror) the stall window. */
export const STALL_SECONDS_VARIABLE = 'VENV_GUARD_DOWNLOAD_STALL_SECONDS'
const DEFAULT_STALL_SECONDS = 60
const STALL_MIN_BYTES = 16 * 1024

export function stallLimit(env: NodeJS.ProcessEnv = process.env): StallLimit {
  const seconds = Number(env[STALL_SECONDS_VARIABLE])
  const windowSeconds = seconds > 0 ? seconds : DEFAULT_STALL_SECONDS
  return { windowMs: windowSeconds * 1000, minBytes: STALL_MIN_BYTES }
}

export class StalledError extends Error {
  readonly code = 'ESTALLED'
  constructor(
    readonly limit: StallLimit,
    readonly received: number
  ) {
    super(`fewer than ${limit.minBytes / 1024} KiB arrived within ${limit.windowMs / 1000} s`)
  }
}

/**
 * The token raises GitHub's rate limit; it is sent to GitHub's own hosts only, never to a mirror.
 * Redirects to another host drop it (@actions/http-client).
 */
export function authFor(url: string, token: string): string | undefined {
  if (!token) return undefined
  let host: string
  try {
    const parsed = new URL(url)
    if (parsed.protocol !== 'https:') return undefined
    host = parsed.hostname.toLowerCase()
  } catch {
    return undefined
  }
  const github = ['github.com', 'githubusercontent.com'].some(
    domain => host === domain || host.endsWith(`.${domain}`)
  )
  return github ? `token ${token}` : undefined
}

/** Says why a download failed and what to do; `mirrorInput` is the input that names a mirror. */
export function downloadFailure(
  what: string,
  url: string,
  error: unknown,
  mirrorInput = 'python-manifest-url'
): string {
  const shown = redactUrlCredentials(url)
  const head = `Downloading ${what} from ${shown} failed`
  if (error instanceof StalledError) {
    return `${head}: it stalled, ${error.message} (${error.received} bytes in all). The server hangs or is too slow for this runner: set ${mirrorInput} to a mirror the runner reaches quickly, or run the job again.`
  }
  if (error instanceof tc.HTTPError) {
    const status = error.httpStatusCode
    if (status === 401 || status === 403 || status === 429) {
      return `${head}: HTTP ${status}. GitHub refuses or rate-limits the request: pass a token with access (the token input, by default the job's GITHUB_TOKEN), or use ${mirrorInput} with a mirror.`
    }
    if (status === 404) {
      return `${head}: HTTP 404, nothing is there. Check ${mirrorInput} and the download_url entries of the manifest.`
    }
    return `${head} despite retries: HTTP ${status}.`
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? ''
  if (code === 'ECONNRESET') {
    return `${head} despite retries: the connection broke off before the file was complete (${errorMessage(error)}).`
  }
  const offline = ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ETIMEDOUT', 'ENETUNREACH'].includes(
    code
  )
  return offline
    ? `${head} despite retries: the runner cannot reach ${new URL(url).host} (${code}). Without internet access, set ${mirrorInput} to a mirror of the manifest whose download_url entries the runner can reach, or install the Python on the runner (tool cache, pyenv, PATH).`
    : `${head} despite retries: ${errorMessage(error)}.`
}

/** Counts what passes and ends the stream when a window brings less than the limit. */
function stallGuard(limit: StallLimit): { counter: Transform; stop: () => void } {
  let received = 0
  let atLastCheck = 0
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length
      done(null, chunk)
    }
  })
  const timer = setInterval(() => {
    if (received - atLastCheck < limit.minBytes) {
      counter.destroy(new StalledError(limit, received))
    }
    atLastCheck = received
  }, limit.windowMs)
  return { counter, stop: () => clearInterval(timer) }
}

async function attempt(url: string, dest: string, auth: string | undefined, limit: StallLimit) {
  const client = new httpm.HttpClient('venv-guard', [], {
    allowRetries: false,
    // Until the answer's headers arrive; the body has the stall guard.
    socketTimeout: limit.windowMs
  })
  try {
    const response = await client.get(url, auth ? { authorization: auth } : {})
    if (response.message.statusCode !== 200) {
      response.message.resume()
      throw new tc.HTTPError(response.message.statusCode)
    }
    const guard = stallGuard(limit)
    try {
      await pipeline(response.message, guard.counter, fs.createWriteStream(dest))
    } finally {
      guard.stop()
    }
  } catch (error) {
    fs.rmSync(dest, { force: true })
    // http-client's socket timeout before the headers: the same stall, said the same way.
    if (error instanceof Error && error.message.startsWith('Request timeout')) {
      throw new StalledError(limit, 0)
    }
    throw error
  } finally {
    client.dispose()
  }
}

/** As tool-cache decides: a stall, or an answer below 500 other than 408 and 429, is final. */
function retryable(error: unknown): boolean {
  if (error instanceof StalledError) return false
  if (error instanceof tc.HTTPError) {
    const status = error.httpStatusCode ?? 0
    return status >= 500 || status === 408 || status === 429
  }
  return true
}

const ATTEMPTS = 3

/** A manifest's text: downloaded as `download` does, read, and the file removed. */
export async function downloadText(
  what: string,
  url: string,
  token: string,
  mirrorInput: string
): Promise<string> {
  const file = await download(what, url, token, mirrorInput)
  try {
    return fs.readFileSync(file, 'utf8')
  } finally {
    fs.rmSync(file, { force: true })
  }
}

/**
 * Downloads `url` into a new file in the runner's temporary directory and returns its path, with
 * tool-cache's retries (3 attempts, 10–20 s apart). Fails with one ActionError saying what to do.
 */
export async function download(
  what: string,
  url: string,
  token: string,
  mirrorInput: string,
  limit: StallLimit = stallLimit()
): Promise<string> {
  const dir = scratchDir()
  fs.mkdirSync(dir, { recursive: true })
  const dest = path.join(dir, crypto.randomUUID())
  const auth = authFor(url, token)
  for (let n = 1; ; n++) {
    try {
      await attempt(url, dest, auth, limit)
      return dest
    } catch (error) {
      if (n >= ATTEMPTS || !retryable(error)) {
        throw new ActionError(downloadFailure(what, url, error, mirrorInput), TITLE)
      }
      await new Promise(resolve => setTimeout(resolve, 10_000 + Math.random() * 10_000))
    }
  }
}
