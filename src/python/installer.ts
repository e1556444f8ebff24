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
import { download, downloadText } from './download.js'
import { archiveSetup, libraryPathEnv, prefixPython } from '../platform/os.js'
import { run } from '../platform/process.js'
import {
  compareVersions,
  parseVersionString,
  versionMatches,
  type PythonVersion,
  type VersionSpec
} from './version-spec.js'
import { group, info } from '../report/log.js'
import { noMatchText, parseReleases, type ManifestSetup } from './releases.js'
import type { PythonRequest } from './request.js'

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
const MIRROR_INPUT = 'python-manifest-url'

export function parseManifest(text: string, url: string): tc.IToolRelease[] {
  return parseReleases<tc.IToolRelease>(
    text,
    url,
    r => typeof r.version === 'string',
    'a python-versions manifest: a JSON list of {version, files: [{filename, platform, arch, download_url}]}',
    TITLE
  )
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
  const text = await downloadText('the Python manifest', url, source.token, MIRROR_INPUT)
  const arch = toolCacheArchFor(spec, baseArch)
  const offers = await offersFor(parseManifest(text, url), arch)
  return { url, arch, offers, match: offers.find(o => versionMatches(spec, o.parsed)) }
}

/** The error text for a manifest without a match: what it does offer, and the way out. */
export function noMatchMessage(spec: VersionSpec, resolution: Resolution): string {
  const pre = spec.allowPrereleases
    ? undefined
    : resolution.offers.find(o => versionMatches({ ...spec, allowPrereleases: true }, o.parsed))
  return noMatchText(
    spec.text,
    resolution.url,
    `${process.platform} ${resolution.arch}`,
    resolution.offers.map(o => o.version),
    pre?.version
  )
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
  const archive = await download(
    `Python ${offer.version}`,
    offer.file.download_url,
    token,
    MIRROR_INPUT
  )
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

/** The python-versions manifest as setUpFromManifest reads any manifest. */
export async function cpythonSetup(
  spec: VersionSpec,
  request: PythonRequest,
  baseArch: string
): Promise<ManifestSetup> {
  const resolution = await resolveRelease(
    spec,
    { url: request.pythonManifestUrl, token: request.token },
    baseArch
  )
  const offer = resolution.match
  return {
    url: resolution.url,
    noMatch: noMatchMessage(spec, resolution),
    match: offer && {
      version: offer.version,
      label: `Python ${offer.version}`,
      newerThan: local => compareVersions(offer.parsed, local.version) > 0,
      install: async (toolCache, env) => {
        const prefix = await installOffer(offer, resolution.arch, toolCache, request.token)
        return {
          command: prefixPython(prefix),
          args: [],
          foundBy: `the python-versions manifest, installed into ${prefix}`,
          env: libraryPathEnv(prefix, env.LD_LIBRARY_PATH),
          location: prefix
        }
      }
    }
  }
}
