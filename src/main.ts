import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  annotate,
  failure,
  findingsFromPipCheck,
  findingsFromPipFailure,
  findingsFromProblems,
  type RequirementsContext
} from './annotations/findings.js'
import { openCacheStore, rememberForSave, restoreCaches } from './cache/session.js'
import { ActionError, errorMessage } from './action/errors.js'
import { fingerprint, fingerprintInputs } from './venv/fingerprint.js'
import { UserSiteGuard } from './guard/step.js'
import { readConfig, type Config } from './action/inputs.js'
import {
  compileArgs,
  compileDisabled,
  installedVersions,
  planPipRuns,
  reportPath,
  resolveTogether
} from './pip/plan.js'
import {
  bundledWheels,
  pipCheck,
  pipForNewVenv,
  pipOf,
  runPip,
  versionAtLeast,
  type Pip
} from './pip/run.js'
import { installedFromReport } from './pip/report.js'
import { venvBinDir, venvPython, venvSitePackages } from './platform/os.js'
import { run as runProcess } from './platform/process.js'
import { findPython, type PythonInstall } from './python/find.js'
import { exportPythonLocation } from './python/location.js'
import { newReport, timed, type RunReport } from './action/report.js'
import {
  movingRequirements,
  parseRequirementFiles,
  type ParsedRequirements
} from './pip/requirements.js'
import { maskUrlCredentials } from './action/secrets.js'
import { writeSummary } from './action/summary.js'
import { createVenv, inspectVenv, planVenv, removeOwnVenv, writeMarker } from './venv/plan.js'

const TRACKED = ['pip', 'setuptools', 'wheel']
const VENV_ACTIONS = {
  create: 'new',
  rebuild: 'rebuilt',
  reuse: 'reused',
  'up-to-date': 'reused, up to date'
}

/** Where the install goes: a venv (with how it came to be) or the base interpreter itself. */
interface Target {
  python: string
  sitePackages: string
  venv?: { path: string; fresh: boolean; created: boolean }
  upToDate: boolean
}

function readRequirements(config: Config, report: RunReport): ParsedRequirements {
  const parsed = parseRequirementFiles(config.requirementFiles)
  for (const url of parsed.urls) maskUrlCredentials(url)
  for (const file of parsed.files) {
    const relative = path.relative(config.workspace, file)
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      core.notice(`The requirements include ${file}, which is outside the workspace.`)
    }
  }
  if (parsed.problems.length > 0) {
    throw failure(findingsFromProblems(parsed.problems), config.workspace, report)
  }
  return parsed
}

async function prepareVenv(
  config: Config,
  python: PythonInstall,
  digest: string,
  report: RunReport
): Promise<Target> {
  const venv = config.venvPath
  const plan = planVenv(inspectVenv(venv), python, digest, venv)
  core.info(`venv: ${plan.reason}`)
  report.venv = {
    path: venv,
    action: VENV_ACTIONS[plan.action === 'reuse' && plan.upToDate ? 'up-to-date' : plan.action],
    reason: plan.reason
  }
  const sitePackages = venvSitePackages(
    venv,
    python.version,
    python.implementation,
    python.freeThreaded
  )
  if (plan.action === 'reuse') {
    if (!plan.upToDate)
      writeMarker(venv, {
        created: plan.created,
        complete: false,
        python: python.executable,
        fingerprint: digest
      })
    return {
      python: venvPython(venv),
      sitePackages,
      venv: { path: venv, fresh: false, created: plan.created },
      upToDate: plan.upToDate
    }
  }
  if (plan.action === 'rebuild') removeOwnVenv(venv)
  // The marker goes in first, so that an interrupted creation is recognised as ours and incomplete.
  fs.mkdirSync(venv, { recursive: true })
  writeMarker(venv, {
    created: true,
    complete: false,
    python: python.executable,
    fingerprint: digest
  })
  await createVenv(python, venv)
  return {
    python: venvPython(venv),
    sitePackages,
    venv: { path: venv, fresh: true, created: true },
    upToDate: false
  }
}

function baseTarget(python: PythonInstall): Target {
  return { python: python.executable, sitePackages: python.purelib, upToDate: false }
}

function targetPip(python: PythonInstall, target: Target): Pip {
  const version =
    installedVersions(target.sitePackages, ['pip']).pip ??
    (target.venv ? undefined : python.pip?.version)
  if (!version) {
    throw new ActionError(
      `${target.python} has no pip. ${target.venv ? 'Remove the venv so that venv-guard creates it afresh' : 'Install pip for this interpreter, or use create-venv: true (the default)'}.`
    )
  }
  return pipOf(target.python, version)
}

async function install(
  config: Config,
  python: PythonInstall,
  target: Target,
  parsed: ParsedRequirements,
  report: RunReport,
  guard: UserSiteGuard
): Promise<void> {
  const fresh = target.venv?.fresh ?? false
  const bootstrap = fresh ? pipForNewVenv(python, target.venv!.path) : undefined
  const deferCompile = target.venv !== undefined && !compileDisabled(config.pipArgs, process.env)
  const wheels = bundledWheels(python)
  const bundled = wheels.pip ? [wheels.pip, ...wheels.others] : []
  const upgraded = [...config.upgrade, ...(fresh ? bundled : [])]
  const runs = planPipRuns({
    freshVenv: fresh,
    upgrade: config.upgrade,
    bundledWheels: bundled,
    requirementFiles: config.requirementFiles,
    packages: config.packages,
    pipArgs: config.pipArgs,
    together: resolveTogether({
      freshVenv: fresh,
      usesHashes: parsed.usesHashes,
      bootstrapPipVersion: bootstrap?.version ?? '',
      requirementCount:
        parsed.entries.filter(e => e.kind === 'requirement' || e.kind === 'editable').length +
        config.packages.length
    }),
    deferCompile
  })
  const requirements = { parsed, workspace: config.workspace }
  await timed(report, 'pip install', () => runPlans())
  // Both only read what is installed: side by side they cost the cold path one of them.
  await timed(report, 'compile and check', async () => {
    await Promise.all([
      deferCompile ? compile(target) : undefined,
      checkDependencies(target, requirements, report)
    ])
  })

  async function runPlans(): Promise<void> {
    for (const [index, plan] of runs.entries()) {
      // The target's pip is looked up only now: an earlier run may just have installed it.
      const pip = plan.pip === 'bootstrap' && bootstrap ? bootstrap : targetPip(python, target)
      core.info(`Using ${pip.label}`)
      const reportFile = reportPath(index)
      const withReport = versionAtLeast(pip.version, '22.2')
      const args = withReport ? [...plan.args, '--report', reportFile] : plan.args
      const result = await runPip(pip, args, plan.title, config.workingDirectory, guard.pipEnv())
      guard.checkPipRun(result, plan.title)
      if (result.exitCode !== 0) {
        const findings = findingsFromPipFailure(
          result.output,
          requirements,
          plan.title,
          result.exitCode
        )
        throw failure(findings, config.workspace, report)
      }
      if (withReport && fs.existsSync(reportFile)) {
        const json = fs.readFileSync(reportFile, 'utf8')
        report.installed.push(...installedFromReport(json, parsed, config.workspace, upgraded))
        fs.rmSync(reportFile, { force: true })
      }
    }
  }
}

async function compile(target: Target): Promise<void> {
  const compiled = await runProcess(target.python, compileArgs(target.sitePackages))
  if (compiled.exitCode !== 0)
    core.warning(
      `Byte-compiling ${target.sitePackages} reported errors:\n${compiled.stdout}${compiled.stderr}`
    )
}

/**
 * `pip check` with the venv's own pip: broken dependencies become warnings on their lines. Not for
 * a base interpreter, whose unrelated packages (a runner's system Python) are not the user's to fix.
 */
async function checkDependencies(
  target: Target,
  requirements: RequirementsContext,
  report: RunReport
): Promise<void> {
  if (!target.venv || !installedVersions(target.sitePackages, ['pip']).pip) return
  const checked = await pipCheck(target.python)
  annotate(findingsFromPipCheck(checked, requirements), requirements.workspace, report)
}

function logVersions(label: string, versions: Record<string, string>): void {
  const text = TRACKED.map(name => `${name} ${versions[name] ?? '(none)'}`).join(', ')
  core.info(`${label}: ${text}`)
}

function activate(venv: string): void {
  core.exportVariable('VIRTUAL_ENV', venv)
  core.addPath(venvBinDir(venv))
}

async function setUp(report: RunReport): Promise<void> {
  const config = await readConfig()
  const cacheStore = openCacheStore(config)
  for (const arg of [...config.pipArgs, ...config.packages]) maskUrlCredentials(arg)
  const python = await timed(report, 'find Python', () => findPython(config))
  core.info(
    `Python ${python.versionText} (${python.implementation}) at ${python.executable}, found by ${python.foundBy}`
  )
  report.python = {
    executable: python.executable,
    version: python.versionText,
    implementation: python.implementation,
    foundBy: python.foundBy
  }
  if (python.location) exportPythonLocation(python.location, python.version.major)
  core.setOutput('python-version', python.versionText)
  core.setOutput('base-python-path', python.executable)
  const guard = await timed(report, 'check user site', () =>
    UserSiteGuard.start(config, python, report)
  )

  const parsed = readRequirements(config, report)
  const digest = fingerprint(fingerprintInputs(config, python, parsed.files))
  const moving = movingRequirements(parsed, config.packages)
  if (moving.length > 0) {
    core.info(
      `${moving.join(', ')} can change while the inputs stay the same: they are installed on every run, and the venv is not cached.`
    )
  }

  const cache = await restoreCaches(
    await cacheStore,
    config,
    python,
    digest,
    report,
    moving.length === 0
  )
  const target = config.createVenv
    ? await timed(report, 'prepare venv', () => prepareVenv(config, python, digest, report))
    : baseTarget(python)
  if (cache?.hit && report.venv) report.venv.action = 'restored from the cache'
  report.versionsBefore = installedVersions(target.sitePackages, TRACKED)
  logVersions('Before', report.versionsBefore)
  if (moving.length > 0) target.upToDate = false
  if (!target.upToDate) {
    await install(config, python, target, parsed, report, guard)
  }
  report.versionsAfter = installedVersions(target.sitePackages, TRACKED)
  logVersions('After', report.versionsAfter)
  guard.finish(
    target.venv ? [target.sitePackages] : [python.purelib, python.platlib],
    report.installed
  )
  if (target.venv) {
    writeMarker(target.venv.path, {
      created: target.venv.created,
      complete: true,
      python: python.executable,
      fingerprint: digest
    })
    if (config.activate) activate(target.venv.path)
    core.setOutput('venv-path', target.venv.path)
  }
  core.setOutput('python-path', target.python)
  if (cache) {
    // Nothing about the cache may fail a step whose install succeeded.
    await rememberForSave(cache, {
      installed: !target.upToDate,
      createdVenv: target.venv?.created && moving.length === 0 ? target.venv.path : undefined
    })
  }
}

/** The main step: every failure ends as one annotation, never a stack trace. */
export async function run(): Promise<void> {
  const report = newReport()
  try {
    await setUp(report)
  } catch (error) {
    const message = maskUrlCredentials(errorMessage(error))
    report.errors.push(message)
    if (error instanceof ActionError) core.error(message, error.annotation)
    else core.error(`venv-guard failed unexpectedly: ${message}`)
    process.exitCode = 1
  } finally {
    await writeSummary(report)
  }
}
