import { scratchDir } from '../platform/process.js'
import { ActionError } from '../report/diagnostic.js'
import { info, notify, warn } from '../report/log.js'
import type { InstalledPackage, RunReport } from '../report/run-report.js'
import { maskUrlCredentials } from '../report/secrets.js'
import type { LaterStepsEnv } from '../platform/later-steps-env.js'
import { OWN_PIP_ENV, type PipResult } from '../pip/run.js'
import type { PythonInstall } from '../python/probe.js'
import { decideFallback, describeDecision, scanPipOutput, type Decision } from './decision.js'
import { baseRiskMessage, fallbackMessage, fallbackTitle, foreignPipNote } from './messages.js'
import { probeUserSite, type UserSiteFacts } from './probe.js'
import {
  addedEntries,
  distributionEntries,
  distributionLabel,
  isInside,
  misplaced
} from './site.js'

const LANDED_TITLE = 'venv-guard: packages landed in the user site-packages'

/** on-user-site: what a fallback (or a refusal) does to the step. */
export type UserSitePolicy = 'fail' | 'warn' | 'ignore'

/** The inputs the guard reads. */
export interface GuardSettings {
  createVenv: boolean
  venvPath: string
  activate: boolean
  onUserSite: UserSitePolicy
  guardLaterSteps: boolean
  pipArgs: string[]
}

/** What main hands to the post step for the user-site audit: the user site as main left it. */
export interface UserSiteState {
  userSite: string
  entries: string[]
  policy: UserSitePolicy
}

/** How the install went for the user site, and what later steps get from the guard. */
export interface GuardFinish {
  clean: boolean
  laterSteps?: LaterStepsEnv
}

/**
 * Whether later steps get PIP_REQUIRE_VIRTUALENV=true: only beside the activated venv. Without a
 * venv, later steps' pip is meant to run outside one; with activate: false, later steps keep their
 * environment as it was (the venv is reached through the python-path output), so a pip of theirs
 * outside the venv must work as it would without this action, not exit 3.
 */
export function guardsLaterPip(config: GuardSettings): boolean {
  return config.guardLaterSteps && config.createVenv && config.activate
}

/** The user-site check of an interpreter, started before the interpreter was chosen. */
export interface EarlyCheck {
  command: string
  facts: Promise<UserSiteFacts | undefined>
}

/**
 * Starts the user-site check of the interpreter the probe will most likely choose (see
 * likelyPython), beside that probe: it depends on nothing else. start() takes it only for that
 * very command; a failure here is left to the check start() then makes.
 */
export function checkEarly(command: string | undefined): EarlyCheck | undefined {
  if (!command) return undefined
  return { command, facts: probeUserSite(command, scratchDir()).catch(() => undefined) }
}

/**
 * The user-site guard of one run: checks before pip runs, reads pip's output during, and verifies
 * after, each step applying `on-user-site`.
 */
export class UserSiteGuard {
  private readonly before: string[]
  /** The user site's entries as last seen: at the start, then after the installs. */
  private entries: string[]
  private warned = false

  private constructor(
    private readonly config: GuardSettings,
    private readonly facts: UserSiteFacts,
    private readonly decision: Decision
  ) {
    this.before = distributionEntries(facts.userSite)
    this.entries = this.before
  }

  /**
   * The user-site facts of `python`, checked now unless the early check checked that very
   * interpreter. Runs beside whatever comes next; start() takes the result.
   */
  static check(python: PythonInstall, early?: EarlyCheck): Promise<UserSiteFacts> {
    const ahead = early?.command === python.executable ? early.facts : Promise.resolve(undefined)
    const facts = ahead.then(found => found ?? probeUserSite(python.executable, scratchDir()))
    facts.catch(() => undefined) // awaited by the caller, which tells a failure
    return facts
  }

  static start(
    config: GuardSettings,
    python: PythonInstall,
    report: RunReport,
    facts: UserSiteFacts
  ): UserSiteGuard {
    // pip's configuration files can hold index credentials: masked before anything prints them.
    for (const setting of facts.settings) maskUrlCredentials(setting.value)
    const decision = decideFallback(facts, config.pipArgs)
    const verdict = describeDecision(facts, decision)
    info(`User-site check of ${python.executable}: ${verdict}`)
    report.guard = {
      verdict: decision.reason ? 'pip would not install into site-packages' : 'clean',
      reason: decision.reason || verdict
    }
    const foreign = foreignPipNote(facts)
    if (foreign) info(foreign)
    return new UserSiteGuard(config, facts, decision)
  }

  /** Whether pip would not install into site-packages, and why (a fallback-reason value, or ''). */
  get fallbackReason(): string {
    return this.decision.reason
  }

  /** What the post step's audit compares against; undefined with guard-later-steps: false. */
  auditState(): UserSiteState | undefined {
    if (!this.config.guardLaterSteps) return undefined
    return { userSite: this.facts.userSite, entries: this.entries, policy: this.config.onUserSite }
  }

  /**
   * Says what the prediction means for this step before pip runs: a note beside a venv, or, without
   * one, on-user-site applied (fail stops the step here).
   */
  checkBeforePip(): void {
    const { config, facts, decision } = this
    if (config.createVenv && decision.user?.value && decision.user.source !== 'pip-args') {
      info(
        `venv-guard runs its own pip with PIP_USER=0 and without PIP_NO_USER, overriding ${decision.user.text} (${decision.user.where}): inside a venv it makes pip refuse to install.`
      )
    }
    if (decision.reason === '') return
    if (config.createVenv) {
      const message = baseRiskMessage(facts, decision, config.venvPath, guardsLaterPip(config))
      if (config.onUserSite === 'ignore') return info(message)
      notify(message, { title: fallbackTitle(decision.reason) })
      return
    }
    const outcome = {
      fail: 'Stopped before running pip (on-user-site: fail), so nothing was installed.',
      warn: 'Going on, as on-user-site is warn.',
      ignore: 'Going on, as on-user-site is ignore.'
    }[config.onUserSite]
    this.apply(fallbackMessage(facts, decision, outcome), fallbackTitle(decision.reason))
  }

  /** Applies on-user-site: fail stops the step, warn annotates, ignore only logs. */
  private apply(message: string, title: string): void {
    if (this.config.onUserSite === 'fail') throw new ActionError(message, { title })
    if (this.config.onUserSite === 'ignore') return info(message)
    warn(message, { title })
    this.warned = true
  }

  /**
   * The variables for the action's own pip. In a venv, and with on-user-site: fail, a user install
   * is forbidden, so a fallback fails loudly. Installing into the interpreter with warn or ignore,
   * the user has accepted the fallback: pip decides with the user's own settings, as it would alone.
   */
  pipEnv(): Record<string, string | undefined> {
    if (this.config.createVenv || this.config.onUserSite === 'fail') return OWN_PIP_ENV
    return { ...OWN_PIP_ENV, PIP_USER: process.env.PIP_USER, PIP_NO_USER: process.env.PIP_NO_USER }
  }

  /** Reads one pip run's output for a fallback or a refusal, even when pip exited 0. */
  checkPipRun(result: PipResult, title: string): void {
    const signs = scanPipOutput(result.output)
    if (result.exitCode !== 0 && signs.some(s => s.kind === 'externally-managed')) {
      const decision: Decision = { ...this.decision, reason: 'externally-managed' }
      throw new ActionError(
        fallbackMessage(this.facts, decision, `pip refused during "${title}".`),
        { title: fallbackTitle('externally-managed') }
      )
    }
    if (this.decision.deliberateUser) return
    const offPath = [...new Set(signs.flatMap(s => (s.kind === 'scripts-off-path' ? [s.dir] : [])))]
    const userScripts = offPath.filter(d => isInside(d, this.facts.userBase))
    for (const dir of offPath.filter(d => !userScripts.includes(d))) {
      warn(
        `pip put scripts into ${dir}, which is not on PATH: later steps cannot run them by name.`
      )
    }
    if (!signs.some(s => s.kind === 'fallback') && userScripts.length === 0) return
    const message = `pip fell back to the user site-packages ${this.facts.userSite} during "${title}"${userScripts.length > 0 ? `, and put scripts into ${userScripts.join(', ')}, off PATH` : ''}.`
    // A fallback already announced and accepted needs no second annotation for each run.
    if (this.warned) info(message)
    else this.apply(message, LANDED_TITLE)
  }

  /**
   * After the installs: everything pip installed is in the target's site-packages, and the user
   * site gained nothing. Then later steps are guarded.
   */
  finish(sitePackages: string[], installed: InstalledPackage[]): GuardFinish {
    const { facts, decision } = this
    const after = distributionEntries(facts.userSite)
    const gained = decision.deliberateUser ? [] : addedEntries(this.before, after)
    const target = [...new Set(decision.deliberateUser ? [facts.userSite] : sitePackages)]
    // What is missing from the target and not in the user site either went somewhere else.
    const lost = decision.redirected ? [] : misplaced(installed, target)
    const elsewhere = decision.deliberateUser ? lost : misplaced(lost, [facts.userSite])
    const clean = gained.length === 0 && lost.length === 0
    if (clean) {
      // A cache hit or a current venv installs nothing: "0 distributions" would read as a failure.
      const what =
        installed.length === 0
          ? 'nothing was installed this run into'
          : `${installed.length} distribution${installed.length === 1 ? '' : 's'} in`
      info(
        `Clean install: ${what} ${target.join(', ')}${decision.deliberateUser ? ', the user site, as pip-args ask' : '; the user site-packages gained nothing'}.`
      )
    } else {
      const problems = [
        gained.length > 0
          ? `the user site-packages ${facts.userSite} gained ${gained.map(distributionLabel).join(', ')}`
          : '',
        elsewhere.length > 0
          ? `${elsewhere.map(p => `${p.name} ${p.version}`).join(', ')} ended up neither there nor in ${target.join(', ')}`
          : ''
      ].filter(p => p !== '')
      this.apply(
        `This step's install is not clean, not all in ${target.join(', ')}: ${problems.join('; ')}.`,
        LANDED_TITLE
      )
    }
    this.entries = after
    if (!guardsLaterPip(this.config)) return { clean }
    info(
      'Exported PIP_REQUIRE_VIRTUALENV=true: pip in later steps refuses to run outside a venv (exit 3) instead of falling back to the user site-packages.'
    )
    return { clean, laterSteps: { variables: { PIP_REQUIRE_VIRTUALENV: 'true' }, path: [] } }
  }
}
