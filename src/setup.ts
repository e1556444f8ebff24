import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { openCacheStore, rememberForSave, restoreCaches } from './cache.js'
import { ActionError, errorMessage } from './errors.js'
import { fingerprint, fingerprintInputs } from './fingerprint.js'
import { readConfig, type Config } from './inputs.js'
import {
  compileArgs,
  compileDisabled,
  installedVersions,
  planPipRuns,
  reportPath
} from './install.js'
import { bundledWheels, pipForNewVenv, pipOf, runPip, versionAtLeast, type Pip } from './pip.js'
import { installedFromReport } from './pip-report.js'
import { venvBinDir, venvPython, venvSitePackages } from './platform.js'
import { run as runProcess } from './proc.js'
import { findPython, type PythonInstall } from './python.js'
import { newReport, timed, type RunReport } from './report.js'
import { parseRequirementFiles, type ParsedRequirements } from './requirements.js'
import { maskUrlCredentials } from './secrets.js'
import { writeSummary } from './summary.js'
import { createVenv, inspectVenv, planVenv, removeOwnVenv, writeMarker } from './venv.js'

const TRACKED = ['pip', 'setuptools', 'wheel']

/** Where the install goes: a venv (with how it came to be) or the base interpreter itself. */
interface Target {
  python: string
  sitePackages: string
  venv?: { path: string; fresh: boolean; created: boolean }
  upToDate: boolean
}

function readRequirements(config: Config): ParsedRequirements {
  const parsed = parseRequirementFiles(config.requirementFiles)
  for (const url of parsed.urls) maskUrlCredentials(url)
  if (parsed.problems.length > 0) {
    for (const problem of parsed.problems.slice(1)) {
      core.error(problem.message, {
        file: path.relative(config.workspace, problem.file),
        startLine: problem.line,
        title: 'venv-guard: invalid requirements file'
      })
    }
    const first = parsed.problems[0]
    throw new ActionError(`${first.message}. Fix the line, then run again.`, {
      file: path.relative(config.workspace, first.file),
      startLine: first.line,
      title: 'venv-guard: invalid requirements file'
    })
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
    action: plan.action === 'reuse' && plan.upToDate ? 'reused, up to date' : plan.action,
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

function choosePip(python: PythonInstall, target: Target): Pip {
  if (target.venv?.fresh) return pipForNewVenv(python, target.venv.path)
  const version = installedVersions(target.sitePackages, ['pip']).pip ?? python.pip?.version
  if (!version) {
    throw new ActionError(
      `${target.python} has no pip. ${target.venv ? 'Remove the venv so that venv-guard creates it afresh' : 'Install pip for this interpreter, or use create-venv: true (the default)'}.`
    )
  }
  return pipOf(target.python, version)
}

function pipFailure(title: string, output: string, exitCode: number): ActionError {
  const errorLines = output
    .split(/\r?\n/)
    .filter(line => /^(ERROR|error):|^\s*×|^\s*╰─>/.test(line))
    .slice(-6)
    .join('\n')
  return new ActionError(
    `${title} failed: pip exited with ${exitCode}.${errorLines ? `\n${maskUrlCredentials(errorLines)}` : ''}`,
    {
      title: 'venv-guard: pip install failed'
    }
  )
}

async function install(
  config: Config,
  python: PythonInstall,
  target: Target,
  parsed: ParsedRequirements,
  report: RunReport
): Promise<void> {
  const pip = choosePip(python, target)
  core.info(`Using ${pip.label}`)
  const deferCompile = target.venv !== undefined && !compileDisabled(config.pipArgs, process.env)
  const runs = planPipRuns({
    freshVenv: target.venv?.fresh ?? false,
    upgrade: config.upgrade,
    bundledWheels: (() => {
      const wheels = bundledWheels(python)
      return wheels.pip ? [wheels.pip, ...wheels.others] : []
    })(),
    requirementFiles: config.requirementFiles,
    packages: config.packages,
    pipArgs: config.pipArgs,
    usesHashes: parsed.usesHashes,
    deferCompile
  })
  const withReport = versionAtLeast(pip.version, '22.2')
  for (const [index, plan] of runs.entries()) {
    const reportFile = reportPath(index)
    const args = withReport ? [...plan.args, '--report', reportFile] : plan.args
    const result = await runPip(pip, args, plan.title, config.workingDirectory)
    if (result.exitCode !== 0) throw pipFailure(plan.title, result.output, result.exitCode)
    if (withReport && fs.existsSync(reportFile)) {
      report.installed.push(
        ...installedFromReport(fs.readFileSync(reportFile, 'utf8'), parsed, config.workspace)
      )
      fs.rmSync(reportFile, { force: true })
    }
  }
  if (deferCompile) {
    const compiled = await runProcess(target.python, compileArgs(target.sitePackages))
    if (compiled.exitCode !== 0)
      core.warning(
        `Byte-compiling ${target.sitePackages} reported errors:\n${compiled.stdout}${compiled.stderr}`
      )
  }
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
  core.setOutput('python-version', python.versionText)
  core.setOutput('base-python-path', python.executable)

  const parsed = readRequirements(config)
  const digest = fingerprint(fingerprintInputs(config, python, parsed.files))

  const cache = await restoreCaches(await cacheStore, config, python, digest, report)
  const target = config.createVenv
    ? await timed(report, 'prepare venv', () => prepareVenv(config, python, digest, report))
    : baseTarget(python)
  if (cache?.hit && report.venv) report.venv.action = 'restored from the cache'
  report.versionsBefore = installedVersions(target.sitePackages, TRACKED)
  logVersions('Before', report.versionsBefore)
  if (!target.upToDate) {
    await timed(report, 'install', () => install(config, python, target, parsed, report))
  }
  report.versionsAfter = installedVersions(target.sitePackages, TRACKED)
  logVersions('After', report.versionsAfter)
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
    await rememberForSave(cache, {
      installed: !target.upToDate,
      createdVenv: target.venv?.created ? target.venv.path : undefined
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
