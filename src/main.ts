import { ActionError, errorMessage } from './report/diagnostic.js'
import { readConfig } from './action/inputs.js'
import { exportToLaterSteps } from './action/later-steps.js'
import { Outputs, setOutput } from './action/outputs.js'
import { saveState, State } from './action/state.js'
import { writeSummary } from './action/summary.js'
import { requirementsFailure } from './annotations/emit.js'
import { CacheSession } from './cache/session.js'
import { checkEarly, UserSiteGuard } from './guard/step.js'
import { install, trackedVersions } from './install/install.js'
import { readRequirements, sayMoving } from './pip/read.js'
import { checkPlacementVariables } from './pip/run.js'
import { onCancel } from './platform/process.js'
import { likelyPython } from './python/find.js'
import { findBasePython, versionName } from './python/use.js'
import { pythonLocationEnv } from './python/location.js'
import { tell, toldSoFar } from './report/log.js'
import { newReport, timed, type RunReport } from './report/run-report.js'
import { maskPipEnvironment, maskUrlCredentials } from './report/secrets.js'
import { fingerprint, fingerprintInputs } from './venv/fingerprint.js'
import { activation, finishTarget, prepareTarget } from './venv/target.js'

/**
 * The main step's story: read the inputs, find Python, check where its pip would install, read
 * the requirements, restore the cache, prepare the venv, install, check, and tell the post step
 * what to save. Each step is one call; what it returns is all the next ones know of it. Every
 * effect on the runner (outputs, later steps' environment, state for the post step) is made here.
 */
async function setUp(report: RunReport): Promise<void> {
  const config = await readConfig()
  const cache = CacheSession.open(config)
  for (const arg of [...config.pipArgs, ...config.packages, ...config.upgrade])
    maskUrlCredentials(arg)
  maskPipEnvironment(process.env)
  checkPlacementVariables(config)

  // The probes start first, as all else waits for them; the likely interpreter's user-site check
  // starts beside them.
  const finding = timed(report, 'find Python', () => findBasePython(config, report))
  const early = checkEarly(likelyPython(config))
  const python = await finding
  setOutput(Outputs.PythonVersion, versionName(python))
  setOutput(Outputs.BasePythonPath, python.executable)
  if (python.location) exportToLaterSteps(pythonLocationEnv(python.location, python.version.major))

  // The user-site check needs only the interpreter: beside a venv it runs while the cache is
  // restored. Without one it can stop the step before pip, and so it comes first.
  const userSite = UserSiteGuard.check(python, early)
  const startGuard = async (): Promise<UserSiteGuard> => {
    const facts = await timed(report, 'check user site', () => userSite)
    const guard = UserSiteGuard.start(config, python, report, facts)
    setOutput(Outputs.UserSiteFallback, guard.fallbackReason !== '')
    setOutput(Outputs.FallbackReason, guard.fallbackReason)
    // Saved now, so that the post step audits even when this step fails later.
    const before = guard.auditState()
    if (before) saveState(State.UserSite, before)
    guard.checkBeforePip()
    return guard
  }
  const guardFirst = config.createVenv ? undefined : await startGuard()

  const requirements = readRequirements(config, report)
  for (const text of requirements.secretTexts) maskUrlCredentials(text)
  const digest = fingerprint(fingerprintInputs(config, python, requirements.inputs))
  const readable = requirements.problems.length === 0
  const restored = readable
    ? await cache.restore({
        python,
        fingerprint: digest,
        inputs: requirements.inputs.files,
        moving: requirements.moving,
        report
      })
    : undefined
  const guard = guardFirst ?? (await startGuard())

  if (!restored) throw requirementsFailure(requirements.problems, config.workspace)
  sayMoving(requirements.moving)
  const moving = requirements.moving.length > 0
  setOutput(Outputs.CacheHit, restored.hit)
  if (restored.venvKey) setOutput(Outputs.CacheKey, restored.venvKey)

  const target = await prepareTarget({
    settings: config,
    python,
    fingerprint: digest,
    restored: restored.hit,
    earlier: restored.earlier,
    moving,
    report
  })
  report.versionsBefore = trackedVersions(target, 'Before')
  const installs = !target.upToDate || moving
  const { installed, content, pipCheckPassed } = installs
    ? await install({ config, python, target, requirements, guard, report, seeds: cache })
    : { installed: [], content: target.venv?.held, pipCheckPassed: false }
  report.versionsAfter = trackedVersions(target, 'After')

  const checked = guard.finish(
    target.venv ? [target.sitePackages] : [python.purelib, python.platlib],
    installed
  )
  setOutput(Outputs.CleanInstall, checked.clean)
  const after = guard.auditState()
  if (after) saveState(State.UserSite, after)
  finishTarget(target, content)
  if (target.venv) {
    if (config.activate) exportToLaterSteps(activation(target.venv.path))
    setOutput(Outputs.VenvPath, target.venv.path)
  }
  setOutput(Outputs.PythonPath, target.python)
  if (checked.laterSteps) exportToLaterSteps(checked.laterSteps)

  // Nothing about the cache may fail a step whose install succeeded.
  const toSave = await cache.toSave({ installed: installs, pipCheckPassed })
  if (toSave) saveState(State.Cache, toSave)
}

/** The main step: every failure ends as one annotation, never a stack trace. */
export async function run(): Promise<void> {
  const report = newReport()
  onCancel(signal =>
    tell({
      severity: 'error',
      message: `venv-guard was cancelled (${signal}): pip and everything venv-guard started are stopped. A venv it was installing stays marked incomplete, and the next run rebuilds it.`
    })
  )
  try {
    await setUp(report)
  } catch (caught) {
    if (!(caught instanceof ActionError)) {
      tell({
        severity: 'error',
        message: `venv-guard failed unexpectedly: ${errorMessage(caught)}`
      })
    } else if (!caught.told) tell(caught.diagnostic)
    process.exitCode = 1
  } finally {
    await writeSummary(report, toldSoFar())
  }
}
