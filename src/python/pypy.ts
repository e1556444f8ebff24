/**
 * Sets PyPy up from PyPy's own versions manifest (versions.json), as actions/setup-python does, into
 * the same tool-cache layout (`PyPy/<Python version>/<arch>`, with the `PYPY_VERSION` file and the
 * `python`/`python3` links), so that both find each other's installations.
 */
import * as tc from '@actions/tool-cache'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ActionError, errorMessage } from '../report/diagnostic.js'
import { group, info, warn } from '../report/log.js'
import { redactUrlCredentials } from '../report/secrets.js'
import {
  prefixBinDir,
  pypyAliases,
  pypyPlatform,
  toolCacheArch,
  toolCachePythons
} from '../platform/os.js'
import { run } from '../platform/process.js'
import { download, downloadText } from './download.js'
import { noMatchText, parseReleases, type ManifestFile, type ManifestSetup } from './releases.js'
import type { PythonRequest } from './request.js'
import {
  compareVersions,
  parseVersionString,
  pypyVersionMatches,
  versionMatches,
  type PythonVersion,
  type VersionSpec
} from './version-spec.js'

export const DEFAULT_PYPY_MANIFEST_URL = 'https://downloads.python.org/pypy/versions.json'
const MIRROR_INPUT = 'pypy-manifest-url'
const TITLE = { title: 'venv-guard: PyPy setup failed' }
/** setup-python's record of the exact PyPy version (pre-releases report only 7.3.3 for 7.3.3rc1). */
const PYPY_VERSION_FILE = 'PYPY_VERSION'

export interface PyPyRelease {
  pypy_version: string
  python_version: string
  stable?: boolean
  files: ManifestFile[]
}

/** A release with an archive for this runner. */
export interface PyPyOffer {
  pypyText: string
  pythonText: string
  pypy: PythonVersion
  python: PythonVersion
  /** Marked stable by the manifest and not an alpha, beta or candidate of PyPy. */
  stable: boolean
  file: ManifestFile
}

export function parsePyPyManifest(text: string, url: string): PyPyRelease[] {
  return parseReleases<PyPyRelease>(
    text,
    url,
    r => typeof r.pypy_version === 'string' && typeof r.python_version === 'string',
    'a PyPy versions manifest: a JSON list of {pypy_version, python_version, files: [{filename, platform, arch, download_url}]}',
    TITLE
  )
}

/**
 * Every release with an archive for this runner, newest PyPy first and, among equal PyPys, newest
 * Python first, as setup-python orders them. Nightly builds name no version and are left out.
 */
export function pypyOffers(
  releases: PyPyRelease[],
  platform: { platforms: string[]; arch: string }
): PyPyOffer[] {
  const offers: PyPyOffer[] = []
  for (const release of releases) {
    const pypy = parseVersionString(release.pypy_version)
    const python = parseVersionString(release.python_version)
    const file = platform.platforms
      .map(name => release.files.find(f => f.platform === name && f.arch === platform.arch))
      .find(f => f !== undefined)
    if (!pypy || !python || !file) continue
    const stable = release.stable !== false && pypy.releaseLevel === 'final'
    offers.push({
      pypyText: release.pypy_version.trim(),
      pythonText: release.python_version.trim(),
      pypy,
      python,
      stable,
      file
    })
  }
  return offers.sort(
    (a, b) => compareVersions(b.pypy, a.pypy) || compareVersions(b.python, a.python)
  )
}

/** `pypy3.10` asks for the Python version, `pypy3.10-v7.3.x` for PyPy's too. */
export function pypyMatches(spec: VersionSpec, offer: PyPyOffer): boolean {
  if (!offer.stable && !spec.allowPrereleases) return false
  const python = { ...offer.python, releaseLevel: 'final' }
  return versionMatches(spec, python) && pypyVersionMatches(spec, offer.pypy)
}

/** How setup-python's python-version output names a PyPy: `pypy3.10.14-7.3.17`. */
export function pypyName(offer: Pick<PyPyOffer, 'pythonText' | 'pypyText'>): string {
  return `pypy${offer.pythonText}-${offer.pypyText}`
}

async function unpack(archive: string, offer: PyPyOffer): Promise<string> {
  try {
    return pypyPlatform().archive === 'zip'
      ? await tc.extractZip(archive)
      : await tc.extractTar(archive, undefined, 'x') // bzip2: tar finds out by itself
  } catch (error) {
    throw new ActionError(
      `The archive ${offer.file.filename} from ${redactUrlCredentials(offer.file.download_url)} cannot be unpacked (${errorMessage(error)}): the download is damaged or it is not a PyPy archive.`,
      TITLE
    )
  } finally {
    fs.rmSync(archive, { force: true })
  }
}

/** Moves the archive's one top directory to `prefix`; a copy when they are on different disks. */
function place(unpacked: string, prefix: string): void {
  const entries = fs.readdirSync(unpacked)
  const top = entries.length === 1 ? path.join(unpacked, entries[0]) : unpacked
  // A directory without its .complete mark is a cut-short install: replaced, as setup-python does.
  fs.rmSync(prefix, { recursive: true, force: true })
  fs.mkdirSync(path.dirname(prefix), { recursive: true })
  try {
    fs.renameSync(top, prefix)
  } catch {
    fs.cpSync(top, prefix, { recursive: true, verbatimSymlinks: true })
  }
}

/** `python`, `python3` and `pypy3.X` beside `pypy3`, where the archive has none. */
function linkAliases(prefix: string, python: PythonVersion): void {
  const bin = prefixBinDir(prefix)
  const { target, links } = pypyAliases(`${python.major}.${python.minor}`)
  for (const link of links) {
    const file = path.join(bin, link)
    if (fs.existsSync(file)) continue
    try {
      fs.symlinkSync(target, file)
    } catch {
      // Windows without the right to make links: PyPy's zips ship python.exe themselves.
    }
  }
}

/** pip for the installation itself, from PyPy's own ensurepip (offline), as setup-python has it. */
async function ensurePip(interpreter: string, prefix: string): Promise<void> {
  const result = await group(`Install pip into ${prefix}`, () =>
    run(interpreter, ['-I', '-m', 'ensurepip'], {
      cwd: prefix,
      stream: true,
      env: { PIP_TARGET: undefined, PIP_PREFIX: undefined, PIP_ROOT: undefined, PIP_USER: '0' }
    })
  )
  if (result.exitCode !== 0) {
    warn(
      `ensurepip of ${interpreter} exited with ${result.exitCode} (its output is in the log group above), so this PyPy has no pip of its own: the venv still gets pip, but a later step that runs this PyPy's pip outside the venv will not find it.`,
      TITLE
    )
  }
}

/** Installs the offer into `<toolCache>/PyPy/<Python version>/<arch>`, marked complete last. */
async function installPyPy(
  offer: PyPyOffer,
  toolCache: string,
  token: string
): Promise<{ prefix: string; interpreter: string }> {
  const prefix = path.join(toolCache, 'PyPy', offer.pythonText, toolCacheArch())
  if (fs.existsSync(`${prefix}.complete`)) {
    let there = 'another PyPy'
    try {
      there = `PyPy ${fs.readFileSync(path.join(prefix, PYPY_VERSION_FILE), 'utf8').trim()}`
    } catch {
      // no record of its version
    }
    throw new ActionError(
      `PyPy ${offer.pypyText} would go to ${prefix}, which holds ${there} for Python ${offer.pythonText} already, and venv-guard replaces no installation it did not make in this step. Remove ${prefix} and ${prefix}.complete in an earlier step, or ask for the PyPy that is there.`,
      TITLE
    )
  }
  const archive = await download(
    `PyPy ${offer.pypyText}`,
    offer.file.download_url,
    token,
    MIRROR_INPUT
  )
  const unpacked = await unpack(archive, offer)
  try {
    place(unpacked, prefix)
  } finally {
    fs.rmSync(unpacked, { recursive: true, force: true })
  }
  fs.writeFileSync(path.join(prefix, PYPY_VERSION_FILE), offer.pypyText)
  linkAliases(prefix, offer.python)
  const interpreter = toolCachePythons(prefix, 'pypy').find(file => fs.existsSync(file))
  if (!interpreter) {
    throw new ActionError(
      `${offer.file.filename} has no ${toolCachePythons(prefix, 'pypy').join(' or ')}: it is not a PyPy archive.`,
      TITLE
    )
  }
  await ensurePip(interpreter, prefix)
  fs.writeFileSync(`${prefix}.complete`, '')
  return { prefix, interpreter }
}

/** PyPy's versions manifest as setUpFromManifest reads any manifest. */
export async function pypySetup(spec: VersionSpec, request: PythonRequest): Promise<ManifestSetup> {
  const url = request.pypyManifestUrl || DEFAULT_PYPY_MANIFEST_URL
  info(`Reading the PyPy manifest ${url}`)
  const text = await downloadText('the PyPy manifest', url, request.token, MIRROR_INPUT)
  const platform = pypyPlatform()
  const offers = pypyOffers(parsePyPyManifest(text, url), platform)
  const offer = offers.find(o => pypyMatches(spec, o))
  const pre = offers.find(o => pypyMatches({ ...spec, allowPrereleases: true }, o))
  return {
    url,
    noMatch: noMatchText(
      spec.text,
      url,
      `${process.platform} ${platform.arch}`,
      offers.map(pypyName),
      pre && pypyName(pre)
    ),
    match: offer && {
      version: pypyName(offer),
      label: `PyPy ${offer.pypyText} (Python ${offer.pythonText})`,
      newerThan: local =>
        (compareVersions(offer.pypy, local.implementationVersion) ||
          compareVersions(offer.python, local.version)) > 0,
      install: async toolCache => {
        const { prefix, interpreter } = await installPyPy(offer, toolCache, request.token)
        return {
          command: interpreter,
          args: [],
          foundBy: `PyPy's versions manifest, installed into ${prefix}`,
          location: prefix
        }
      }
    }
  }
}
