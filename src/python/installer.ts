/**
 * Sets up CPython from the actions/python-versions manifest, the same builds and archive layout
 * actions/setup-python uses, so that both find each other's installations in the tool cache.
 * Loaded with a dynamic import only when the runner lacks a matching Python: a normal start does
 * not pay for the download code.
 */
import * as tc from '@actions/tool-cache'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ActionError, errorMessage } from '../report/diagnostic.js'
import { archiveSetup, libraryPathEnv } from '../platform/os.js'
import { run } from '../platform/process.js'
import {
  compareVersions,
  parseVersionString,
  versionMatches,
  type PythonVersion,
  type VersionSpec
} from './version-spec.js'
import { group, info } from '../report/log.js'
import { maskUrlCredentials } from '../report/secrets.js'

export const DEFAULT_MANIFEST_URL =
  'https://raw.githubusercontent.com/actions/python-versions/main/versions-manifest.json'

export interface ManifestSource {
  /** The manifest's URL; '' for the one on GitHub. */
  url: string
  token: string
}

/** A release the manifest offers for this runner: its version and the one archive that fits. */
export interface Offer {
  version: string
  parsed: PythonVersion
  file: tc.IToolReleaseFile
}

export interface Resolution {
  url: string
  /** The arch directory setup-python uses: `x64`, or `x64-freethreaded` for `3.13t`. */
  arch: string
  /** What the manifest has for this platform and arch, newest first. */
  offers: Offer[]
  /** The newest offer that satisfies the spec. */
  match?: Offer
}

const TITLE = { title: 'venv-guard: Python setup failed' }

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

/** Says why a download failed and what to do, from tool-cache's error. */
export function downloadFailure(what: string, url: string, error: unknown): string {
  const head = `Downloading ${what} from ${url} failed`
  if (error instanceof tc.HTTPError) {
    const status = error.httpStatusCode
    if (status === 401 || status === 403 || status === 429) {
      return `${head}: HTTP ${status}. GitHub refuses or rate-limits the request: pass a token with access (the token input, by default the job's GITHUB_TOKEN), or use python-manifest-url with a mirror.`
    }
    if (status === 404) {
      return `${head}: HTTP 404, nothing is there. Check python-manifest-url and the download_url entries of the manifest.`
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
    ? `${head} despite retries: the runner cannot reach ${new URL(url).host} (${code}). Without internet access, set python-manifest-url to a mirror of versions-manifest.json whose download_url entries the runner can reach, or install the Python on the runner (tool cache, pyenv, PATH).`
    : `${head} despite retries: ${errorMessage(error)}.`
}

/** tool-cache retries network failures and 5xx answers (3 attempts) before this gives up. */
async function download(what: string, url: string, token: string): Promise<string> {
  try {
    return await tc.downloadTool(url, undefined, authFor(url, token))
  } catch (error) {
    throw new ActionError(downloadFailure(what, url, error), TITLE)
  }
}

function isRelease(value: unknown): value is tc.IToolRelease {
  const r = value as tc.IToolRelease
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.version === 'string' &&
    Array.isArray(r.files) &&
    r.files.every(
      f =>
        typeof f?.filename === 'string' &&
        typeof f.platform === 'string' &&
        typeof f.arch === 'string' &&
        typeof f.download_url === 'string'
    )
  )
}

export function parseManifest(text: string, url: string): tc.IToolRelease[] {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    throw new ActionError(`${url} is not JSON (${errorMessage(error)}).`, TITLE)
  }
  if (!Array.isArray(doc) || !doc.every(isRelease)) {
    throw new ActionError(
      `${url} is not a python-versions manifest: a JSON list of {version, files: [{filename, platform, arch, download_url}]}.`,
      TITLE
    )
  }
  // A mirror's links may carry a password or a signature: masked before tool-cache logs them.
  for (const release of doc) for (const file of release.files) maskUrlCredentials(file.download_url)
  return doc
}

/**
 * Every release with an archive for this runner, newest first. tool-cache decides what fits
 * (platform, arch, and platform_version against the OS release), as it does for setup-python.
 */
export async function offersFor(manifest: tc.IToolRelease[], arch: string): Promise<Offer[]> {
  const offers: Offer[] = []
  for (const release of manifest) {
    const parsed = parseVersionString(release.version)
    if (!parsed) continue
    const fit = await tc.findFromManifest(release.version, false, [release], arch)
    if (fit) offers.push({ version: release.version, parsed, file: fit.files[0] })
  }
  return offers.sort((a, b) => compareVersions(b.parsed, a.parsed))
}

export function toolCacheArchFor(spec: VersionSpec, arch: string): string {
  return spec.freeThreaded ? `${arch}-freethreaded` : arch
}

/** Reads the manifest and picks the newest release that satisfies the spec. */
export async function resolveRelease(
  spec: VersionSpec,
  source: ManifestSource,
  baseArch: string
): Promise<Resolution> {
  const url = source.url || DEFAULT_MANIFEST_URL
  info(`Reading the Python manifest ${url}`)
  const file = await download('the Python manifest', url, source.token)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } finally {
    fs.rmSync(file, { force: true })
  }
  const arch = toolCacheArchFor(spec, baseArch)
  const offers = await offersFor(parseManifest(text, url), arch)
  return { url, arch, offers, match: offers.find(o => versionMatches(spec, o.parsed)) }
}

/** The error text for a manifest without a match: what it does offer, and the way out. */
export function noMatchMessage(spec: VersionSpec, resolution: Resolution): string {
  const where = `${process.platform} ${resolution.arch}`
  const shown = resolution.offers.slice(0, 20).map(o => o.version)
  const more = resolution.offers.length - shown.length
  const offered =
    shown.length === 0
      ? `It offers nothing for ${where}.`
      : `It offers for ${where}: ${shown.join(', ')}${more > 0 ? ` and ${more} older` : ''}.`
  const pre = spec.allowPrereleases
    ? undefined
    : resolution.offers.find(o => versionMatches({ ...spec, allowPrereleases: true }, o.parsed))
  const hint = pre
    ? ` ${pre.version} is a pre-release: set allow-prereleases: true to take it.`
    : ''
  return `The manifest ${resolution.url} has no release matching "${spec.text}". ${offered}${hint}`
}

/**
 * Downloads the offer's archive and runs its own setup script, which copies it into
 * `<toolCache>/Python/<version>/<arch>` and writes `<arch>.complete` last. Returns that directory.
 */
export async function installOffer(
  offer: Offer,
  arch: string,
  toolCache: string,
  token: string
): Promise<string> {
  const setup = archiveSetup()
  const archive = await download(`Python ${offer.version}`, offer.file.download_url, token)
  let dir: string
  try {
    dir = setup.archive === 'zip' ? await tc.extractZip(archive) : await tc.extractTar(archive)
  } catch (error) {
    throw new ActionError(
      `The archive ${offer.file.filename} from ${offer.file.download_url} cannot be unpacked (${errorMessage(error)}): the download is damaged or it is not a python-versions archive.`,
      TITLE
    )
  } finally {
    fs.rmSync(archive, { force: true })
  }
  try {
    await group(`Install Python ${offer.version} into ${toolCache}`, async () => {
      const result = await run(setup.command, setup.args, {
        cwd: dir,
        stream: true,
        env: {
          ...libraryPathEnv(dir, process.env.LD_LIBRARY_PATH),
          RUNNER_TOOL_CACHE: toolCache,
          // The script prefers AGENT_TOOLSDIRECTORY; unset, it installs where discovery looks.
          AGENT_TOOLSDIRECTORY: undefined
        }
      })
      if (result.exitCode !== 0) {
        throw new ActionError(
          `The setup script of ${offer.file.filename} exited with ${result.exitCode}; its output is in the log group above.`,
          TITLE
        )
      }
    })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const prefix = path.join(toolCache, 'Python', offer.version, arch)
  if (!fs.existsSync(`${prefix}.complete`)) {
    throw new ActionError(
      `The setup script of ${offer.file.filename} finished without marking ${prefix} complete (${arch}.complete is missing).`,
      TITLE
    )
  }
  return prefix
}
