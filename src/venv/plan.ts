import * as fs from 'node:fs'
import * as path from 'node:path'
import { ActionError } from '../report/diagnostic.js'
import { prefixBinDir, realPath } from '../platform/os.js'
import type { PythonInstall } from '../python/probe.js'
import { readMarker, type VenvContent, type VenvMarker } from './marker.js'

export type VenvState =
  | { kind: 'absent' }
  | { kind: 'empty-directory' }
  | { kind: 'file' }
  | { kind: 'not-venv'; entries: string[] }
  | { kind: 'venv'; cfg: Record<string, string>; marker?: VenvMarker }

export type VenvPlan =
  | { action: 'create'; reason: string }
  | { action: 'rebuild'; reason: string }
  /** A venv venv-guard made for other inputs, holding what its marker lists: brought to the new content. */
  | { action: 'update'; reason: string; held: VenvContent }
  | { action: 'reuse'; reason: string; upToDate: boolean; created: boolean; held?: VenvContent }

/** pyvenv.cfg is `key = value` lines. */
export function parsePyvenvCfg(text: string): Record<string, string> {
  const cfg: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf('=')
    if (eq > 0) cfg[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim()
  }
  return cfg
}

export function inspectVenv(venv: string): VenvState {
  let stat: fs.Stats
  try {
    stat = fs.statSync(venv)
  } catch {
    return { kind: 'absent' }
  }
  if (!stat.isDirectory()) return { kind: 'file' }
  const entries = fs.readdirSync(venv)
  if (entries.length === 0) return { kind: 'empty-directory' }
  const cfgFile = path.join(venv, 'pyvenv.cfg')
  if (!fs.existsSync(cfgFile)) return { kind: 'not-venv', entries }
  return {
    kind: 'venv',
    cfg: parsePyvenvCfg(fs.readFileSync(cfgFile, 'utf8')),
    marker: readMarker(venv)
  }
}

/** Whether a venv's pyvenv.cfg names this interpreter: same home directory and same version. */
export function madeFrom(
  cfg: Record<string, string>,
  python: Pick<PythonInstall, 'executable' | 'basePrefix' | 'versionText'>
): boolean {
  const version = cfg.version ?? cfg.version_info ?? ''
  const home = cfg.home ?? ''
  const homes = [
    path.dirname(python.executable),
    prefixBinDir(python.basePrefix),
    python.basePrefix
  ]
  // pyvenv.cfg has X.Y.Z, also for a pre-release (3.14.0 for 3.14.0a1); 3.12.10 is not 3.12.1.
  const release = python.versionText.replace(/(a|b|rc)\d+$/, '')
  return version === release && homes.some(h => realPath(h) === realPath(home))
}

/**
 * Decides what to do with venv-path. The rule for deleting: only a venv whose marker says this
 * action created it is ever removed; anything else the user made is left as it is.
 */
export function planVenv(
  state: VenvState,
  python: PythonInstall,
  fingerprint: string,
  venv: string,
  /** Some requirements can change under the same fingerprint (local projects): never "up to date". */
  moving = false,
  /** It came from an earlier cache entry this run: its content is known (see TargetRequest). */
  updatable = false
): VenvPlan {
  switch (state.kind) {
    case 'absent':
    case 'empty-directory':
      return { action: 'create', reason: `creating a new venv at ${venv}` }
    case 'file':
      throw new ActionError(
        `Input 'venv-path' names ${venv}, which is a file, not a directory. Choose another venv-path; the file was left untouched.`,
        { title: "venv-guard: invalid input 'venv-path'" }
      )
    case 'not-venv':
      throw new ActionError(
        `Input 'venv-path' names ${venv}, which is a directory but not a virtual environment (no pyvenv.cfg; it holds ${state.entries.slice(0, 5).join(', ')}${state.entries.length > 5 ? ', ...' : ''}). Choose another venv-path; nothing in it was touched.`,
        { title: "venv-guard: invalid input 'venv-path'" }
      )
    case 'venv': {
      const marker = state.marker
      const ours = marker?.created === true
      if (!madeFrom(state.cfg, python)) {
        const other = `${state.cfg.version ?? state.cfg.version_info ?? '?'} from ${state.cfg.home ?? '?'}`
        if (ours) {
          return {
            action: 'rebuild',
            reason: `the venv at ${venv} was made by venv-guard from another interpreter (${other}); rebuilding it for ${python.versionText}`
          }
        }
        throw new ActionError(
          `Input 'venv-path' names ${venv}, a virtual environment of another interpreter (${other}) that venv-guard did not create, so it will not delete it. Remove it yourself, or choose another venv-path.`,
          { title: "venv-guard: invalid input 'venv-path'" }
        )
      }
      if (ours && !marker.complete) {
        return {
          action: 'rebuild',
          reason: `the venv at ${venv} was left incomplete by an interrupted run; rebuilding it`
        }
      }
      const upToDate = marker?.complete === true && marker.fingerprint === fingerprint
      if (ours && !upToDate && !moving && updatable && marker.content) {
        return {
          action: 'update',
          held: marker.content,
          reason: `the venv restored at ${venv} was made for other inputs; bringing it to exactly what a new venv would hold for them`
        }
      }
      if (ours && (!upToDate || moving)) {
        // Installing over it would keep what the inputs no longer name (a removed requirement,
        // a dependency a local project dropped): the fresh venv is the recipe's result.
        return {
          action: 'rebuild',
          reason: upToDate
            ? `the venv at ${venv} holds local projects, whose dependencies can change under the same inputs; rebuilding it so that it holds exactly what they bring`
            : `the inputs changed since venv-guard made the venv at ${venv}; rebuilding it so that it holds exactly what they describe`
        }
      }
      return {
        action: 'reuse',
        upToDate,
        created: ours,
        held: upToDate ? marker?.content : undefined,
        reason: upToDate
          ? `reusing the venv at ${venv}: same interpreter, same requirements, nothing to install`
          : `reusing the existing venv at ${venv} (made from the same interpreter)`
      }
    }
  }
}
