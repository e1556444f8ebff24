import * as fs from 'node:fs'
import { timed, type RunReport } from '../report/run-report.js'
import type { LaterStepsEnv } from '../platform/later-steps-env.js'
import { venvBinDir, venvPython, venvSitePackages } from '../platform/os.js'
import type { PythonInstall } from '../python/probe.js'
import { createVenv } from './create.js'
import {
  markComplete,
  markInstalling,
  removeOwnVenv,
  type VenvContent,
  type VenvOwnership
} from './marker.js'
import { inspectVenv, planVenv, type VenvPlan } from './plan.js'
import { info } from '../report/log.js'

/** Where the install goes: a venv (with how it came to be) or the base interpreter itself. */
export interface Target {
  python: string
  sitePackages: string
  venv?: {
    path: string
    fresh: boolean
    owner: VenvOwnership
    /** What it holds, as its marker lists (a venv venv-guard made, complete). */
    held?: VenvContent
    /** To be brought from that content to the new one (install/update.ts), or made anew. */
    update?: VenvContent
  }
  /** It holds what the fingerprint names already: nothing to install. */
  upToDate: boolean
}

/** What the target is prepared from. */
export interface TargetRequest {
  /** venvPath matters only with createVenv. */
  settings: { createVenv: boolean; venvPath: string }
  python: PythonInstall
  fingerprint: string
  /** The venv came from the cache (and passed its health check). */
  restored: boolean
  /**
   * An earlier venv came from the cache: updated in place, not rebuilt. Only such a one: its content
   * is what its saving job's main step left (the post step saves nothing a later step changed),
   * where a venv left in a workspace holds whatever later steps did to it.
   */
  earlier?: boolean
  /** Some requirements can change while the inputs read the same (pip/local-projects.ts). */
  moving: boolean
  report: RunReport
}

const VENV_ACTIONS = {
  create: 'new',
  rebuild: 'rebuilt',
  update: 'updated',
  reuse: 'reused',
  'up-to-date': 'reused, up to date'
}

function venvAction(plan: VenvPlan, restored: boolean): string {
  if (restored) return 'restored from the cache'
  if (plan.action === 'update') return 'restored from an earlier cache entry, updated'
  return VENV_ACTIONS[plan.action === 'reuse' && plan.upToDate ? 'up-to-date' : plan.action]
}

/** The venv at venv-path, reused, rebuilt or created, as planVenv decides; or the interpreter itself. */
export async function prepareTarget(request: TargetRequest): Promise<Target> {
  const { settings, python, report } = request
  if (!settings.createVenv) {
    return { python: python.executable, sitePackages: python.purelib, upToDate: false }
  }
  return timed(report, 'prepare venv', () => prepareVenv(request))
}

async function prepareVenv(request: TargetRequest): Promise<Target> {
  const { settings, python, fingerprint, report } = request
  const venv = settings.venvPath
  const plan = planVenv(
    inspectVenv(venv),
    python,
    fingerprint,
    venv,
    request.moving,
    request.earlier ?? false
  )
  info(`venv: ${plan.reason}`)
  report.venv = { path: venv, action: venvAction(plan, request.restored), reason: plan.reason }
  const sitePackages = venvSitePackages(
    venv,
    python.version,
    python.implementation,
    python.freeThreaded
  )
  const created = plan.action === 'reuse' ? plan.created : true
  const owner: VenvOwnership = { created, python: python.executable, fingerprint }
  const target = { python: venvPython(venv), sitePackages }
  if (plan.action === 'reuse') {
    if (!plan.upToDate) markInstalling(venv, owner)
    const held = plan.held
    return { ...target, venv: { path: venv, fresh: false, owner, held }, upToDate: plan.upToDate }
  }
  if (plan.action === 'update') {
    markInstalling(venv, owner)
    const { held } = plan
    return {
      ...target,
      venv: { path: venv, fresh: false, owner, held, update: held },
      upToDate: false
    }
  }
  if (plan.action === 'rebuild') removeOwnVenv(venv)
  await newVenv(python, venv, owner)
  return { ...target, venv: { path: venv, fresh: true, owner }, upToDate: false }
}

async function newVenv(python: PythonInstall, venv: string, owner: VenvOwnership): Promise<void> {
  // The marker goes in first, so that an interrupted creation is recognised as ours and incomplete.
  fs.mkdirSync(venv, { recursive: true })
  markInstalling(venv, owner)
  await createVenv(python, venv)
}

/** A venv to update that cannot be brought to the new content exactly: made anew in its place. */
export async function startOver(
  python: PythonInstall,
  target: Target,
  report: RunReport
): Promise<Target> {
  const venv = target.venv
  if (!venv?.update) throw new Error('only a venv to update is made anew')
  removeOwnVenv(venv.path)
  await newVenv(python, venv.path, venv.owner)
  if (report.venv) report.venv.action = VENV_ACTIONS.rebuild
  return { ...target, venv: { path: venv.path, fresh: true, owner: venv.owner }, upToDate: false }
}

/** A venv this run created, made again from nothing (what went into it is not wanted). */
export async function recreateVenv(python: PythonInstall, target: Target): Promise<void> {
  if (!target.venv?.fresh) throw new Error('only a venv this run created is made again')
  removeOwnVenv(target.venv.path)
  await newVenv(python, target.venv.path, target.venv.owner)
}

/** Once everything is installed: the venv's marker says complete, and what it holds where known. */
export function finishTarget(target: Target, content: VenvContent | undefined): void {
  if (target.venv) markComplete(target.venv.path, target.venv.owner, content)
}

/** What activating the venv gives later steps: VIRTUAL_ENV, and its bin first on PATH. */
export function activation(venv: string): LaterStepsEnv {
  return { variables: { VIRTUAL_ENV: venv }, path: [venvBinDir(venv)] }
}
