import { ActionError, errorMessage } from './action/errors.js'
import { readConfig } from './action/inputs.js'
import { error } from './action/log.js'
import { newReport, timed, type RunReport } from './action/report.js'
import { maskPipEnvironment, maskUrlCredentials } from './action/secrets.js'
import { writeSummary } from './action/summary.js'
import { openCacheStore, rememberForSave, restoreCaches } from './cache/session.js'
import { UserSiteGuard } from './guard/step.js'
import { install, trackedVersions } from './pip/install.js'
import { readRequirements, sayMoving } from './pip/read.js'
import { checkPlacementVariables } from './pip/run.js'
import { onCancel } from './platform/process.js'
import { findBasePython } from './python/use.js'
import { fingerprint, fingerprintInputs } from './venv/fingerprint.js'
import { discardInterruptedRestore } from './venv/marker.js'
import { finishTarget, prepareTarget } from './venv/target.js'

/**
 * The main step's story: read the inputs, find Python, check where its pip would install, read
 * the requirements, restore the cache, prepare the venv, install, check, and tell the post step
 * what to save. Each step is one call; what it returns is all the next ones know of it.
 */
async function setUp(report: RunReport): Promise<void> {
  const config = await readConfig()
  const cacheStore = openCacheStore(config)
  for (const arg of [...config.pipArgs, ...config.packages]) maskUrlCredentials(arg)
  maskPipEnvironment(process.env)
  checkPlacementVariables(config, report)
  const python = await timed(report, 'find Python', () => findBasePython(config, report))
  const guard = await timed(report, 'check user site', () =>
    UserSiteGuard.start(config, python, report)
  )

  const requirements = readRequirements(config, report)
  const digest = fingerprint(fingerprintInputs(config, python, requirements.inputs))
  sayMoving(requirements.moving)
  const cacheVenv = requirements.moving.length === 0
  const store = await cacheStore
  discardInterruptedRestore(config.venvPath)
  const cache = await restoreCaches({
    store,
    config,
    python,
    fingerprint: digest,
    cacheVenv,
    report
  })
  const restored = cache?.hit ?? false
  const target = await prepareTarget({
    config,
    python,
    fingerprint: digest,
    restored,
    moving: !cacheVenv,
    report
  })

  report.versionsBefore = trackedVersions(target, 'Before')
  const installs = !target.upToDate || !cacheVenv
  const installed = installs
    ? await install({ config, python, target, requirements, guard, report })
    : []
  report.versionsAfter = trackedVersions(target, 'After')
  guard.finish(target.venv ? [target.sitePackages] : [python.purelib, python.platlib], installed)
  finishTarget(target, config.activate)

  if (cache) {
    // Nothing about the cache may fail a step whose install succeeded.
    const createdVenv = target.venv?.owner.created && cacheVenv ? target.venv.path : undefined
    await rememberForSave(cache, {
      installed: installs,
      createdVenv,
      inputs: requirements.inputs.files
    })
  }
}

/** The main step: every failure ends as one annotation, never a stack trace. */
export async function run(): Promise<void> {
  const report = newReport()
  onCancel(signal =>
    error(
      `venv-guard was cancelled (${signal}): pip and everything venv-guard started are stopped. A venv it was installing stays marked incomplete, and the next run rebuilds it.`
    )
  )
  try {
    await setUp(report)
  } catch (caught) {
    const message = maskUrlCredentials(errorMessage(caught))
    report.errors.push(message)
    if (caught instanceof ActionError) error(message, caught.annotation)
    else error(`venv-guard failed unexpectedly: ${message}`)
    process.exitCode = 1
  } finally {
    await writeSummary(report)
  }
}
