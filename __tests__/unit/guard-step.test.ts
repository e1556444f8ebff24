import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ActionError } from '../../src/report/diagnostic.js'
import { newReport, type RunReport } from '../../src/report/run-report.js'
import { auditUserSite } from '../../src/guard/audit.js'
import { probeUserSite, type UserSiteFacts } from '../../src/guard/probe.js'
import { UserSiteGuard } from '../../src/guard/step.js'
import { OWN_PIP_ENV, type PipResult } from '../../src/pip/run.js'
import type { PythonInstall } from '../../src/python/probe.js'
import { makeConfig } from '../helpers/config.js'
import * as core from '../helpers/core.js'
import { told } from '../helpers/told.js'

vi.mock('@actions/core', () => import('../helpers/core.js'))
vi.mock('../../src/guard/probe.js', () => ({ probeUserSite: vi.fn() }))

const python = { executable: '/opt/py/bin/python3' } as PythonInstall
let userSite: string
let report: RunReport

function facts(overrides: Partial<UserSiteFacts> = {}): UserSiteFacts {
  return {
    executable: python.executable,
    inVenv: false,
    enableUserSite: true,
    sitePackages: [{ path: '/opt/py/site', tested: '/opt/py/site', writable: true, owner: 'root' }],
    user: 'runner',
    userSite,
    userBase: path.dirname(userSite),
    externallyManaged: null,
    settings: [],
    pipOnPath: [],
    ...overrides
  }
}

const notWritable = (): Partial<UserSiteFacts> => ({
  sitePackages: [{ path: '/opt/py/site', tested: '/opt/py/site', writable: false, owner: 'root' }]
})

async function start(probed: UserSiteFacts, config = makeConfig()): Promise<UserSiteGuard> {
  vi.mocked(probeUserSite).mockResolvedValue(probed)
  const guard = UserSiteGuard.start(config, python, report, await UserSiteGuard.check(python))
  guard.checkBeforePip()
  return guard
}

const pipRun = (output: string, exitCode = 0): PipResult => ({ exitCode, output, display: 'pip' })

function addDistribution(name: string): void {
  fs.mkdirSync(path.join(userSite, `${name}.dist-info`), { recursive: true })
}

beforeEach(() => {
  core.resetCore()
  userSite = fs.mkdtempSync(path.join(os.tmpdir(), 'venv-guard-user-site-'))
  report = newReport()
})
afterEach(() => {
  fs.rmSync(userSite, { recursive: true, force: true })
  delete process.env.STATE_user_site
  process.exitCode = undefined
})

describe('UserSiteGuard.start', () => {
  it('says clean, and gives what the post step audits against, touching nothing', async () => {
    addDistribution('old-1.0')
    const guard = await start(facts())
    expect(guard.fallbackReason).toBe('')
    expect(report.guard?.verdict).toBe('clean')
    expect(core.warning).not.toHaveBeenCalled()
    expect(core.notice).not.toHaveBeenCalled()
    expect(guard.auditState()).toEqual({
      userSite,
      entries: ['old-1.0.dist-info'],
      policy: 'fail'
    })
    expect(core.outputs()).toEqual({})
    expect(core.saveState).not.toHaveBeenCalled()
  })

  it('has nothing for the post step when later steps are not guarded', async () => {
    const guard = await start(facts(), makeConfig({ guardLaterSteps: false }))
    expect(guard.auditState()).toBeUndefined()
  })

  it('stops before pip without a venv when pip would fall back and on-user-site is fail', async () => {
    vi.mocked(probeUserSite).mockResolvedValue(facts(notWritable()))
    const guard = UserSiteGuard.start(
      makeConfig({ createVenv: false }),
      python,
      report,
      await UserSiteGuard.check(python)
    )
    expect(guard.fallbackReason).toBe('site-not-writable')
    expect(() => guard.checkBeforePip()).toThrow(ActionError)
    expect(() => guard.checkBeforePip()).toThrow(/Stopped before running pip/)
  })

  it('warns once, into the summary too, with on-user-site: warn', async () => {
    const guard = await start(
      facts(notWritable()),
      makeConfig({ createVenv: false, onUserSite: 'warn' })
    )
    expect(core.warning).toHaveBeenCalledTimes(1)
    expect(told('warning')).toHaveLength(1)
    expect(told('warning')[0]).toMatch(/Going on, as on-user-site is warn/)
    // The fallback pip then reports was announced already: a log line, not a second annotation.
    guard.checkPipRun(
      pipRun('Defaulting to user installation because normal site-packages is not writeable'),
      'Install the requirements'
    )
    expect(core.warning).toHaveBeenCalledTimes(1)
    expect(core.info).toHaveBeenCalledWith(expect.stringMatching(/^pip fell back/))
  })

  it('only logs with on-user-site: ignore', async () => {
    await start(facts(notWritable()), makeConfig({ createVenv: false, onUserSite: 'ignore' }))
    expect(core.warning).not.toHaveBeenCalled()
    expect(told('warning')).toEqual([])
  })

  it("notes the base interpreter's risk when the step installs into a venv", async () => {
    await start(facts(notWritable()))
    expect(core.notice).toHaveBeenCalledTimes(1)
    expect(told('notice')[0]).toMatch(/installs into the venv/)
    expect(told('notice')[0]).toMatch(/PIP_REQUIRE_VIRTUALENV=true makes any other pip refuse/)
    expect(core.warning).not.toHaveBeenCalled()
  })
})

describe('UserSiteGuard during and after pip', () => {
  it('turns a refusal by an externally managed Python into one error', async () => {
    const guard = await start(facts(), makeConfig({ createVenv: false }))
    expect(() =>
      guard.checkPipRun(pipRun('error: externally-managed-environment', 1), 'Install')
    ).toThrow(/pip refused during "Install"/)
  })

  it('warns about scripts put off PATH outside the user base', async () => {
    const guard = await start(facts())
    guard.checkPipRun(pipRun("installed in '/opt/tools/bin' which is not on PATH"), 'Install')
    expect(core.warning).toHaveBeenCalledWith(
      'pip put scripts into /opt/tools/bin, which is not on PATH: later steps cannot run them by name.'
    )
  })

  it('gives its own pip a user install never in a venv, and the user settings without one', async () => {
    process.env.PIP_USER = '1'
    try {
      expect((await start(facts())).pipEnv()).toBe(OWN_PIP_ENV)
      const base = await start(facts(), makeConfig({ createVenv: false, onUserSite: 'warn' }))
      expect(base.pipEnv()).toMatchObject({ PIP_USER: '1' })
    } finally {
      delete process.env.PIP_USER
    }
  })

  it('fails when the user site gained a distribution during the step', async () => {
    const guard = await start(facts())
    addDistribution('stray-1.0')
    expect(() => guard.finish(['/venv/site'], [])).toThrow(/gained stray 1.0/)
  })

  it('says clean, asks for PIP_REQUIRE_VIRTUALENV in later steps and sees the user site again', async () => {
    const guard = await start(facts(), makeConfig({ onUserSite: 'warn' }))
    addDistribution('stray-1.0')
    const finished = guard.finish(['/venv/site'], [])
    expect(finished).toEqual({
      clean: false,
      laterSteps: { variables: { PIP_REQUIRE_VIRTUALENV: 'true' }, path: [] }
    })
    expect(guard.auditState()?.entries).toEqual(['stray-1.0.dist-info'])
  })

  it('says what a clean run installed, and that a run that installed nothing (a cache hit) did', async () => {
    const guard = await start(facts())
    guard.finish(['/venv/site'], [])
    expect(core.info).toHaveBeenCalledWith(
      'Clean install: nothing was installed this run into /venv/site; the user site-packages gained nothing.'
    )
    const site = path.join(path.dirname(userSite), 'site-packages')
    fs.mkdirSync(path.join(site, 'alpha-1.0.dist-info'), { recursive: true })
    guard.finish([site], [{ name: 'alpha', version: '1.0' }])
    expect(core.info).toHaveBeenCalledWith(
      `Clean install: 1 distribution in ${site}; the user site-packages gained nothing.`
    )
  })

  it('does not require a venv of later steps when there is none', async () => {
    const guard = await start(facts(), makeConfig({ createVenv: false }))
    expect(guard.finish(['/opt/py/site'], [])).toEqual({ clean: true })
  })

  it("leaves later steps' pip alone with activate: false, and still audits the user site", async () => {
    const guard = await start(facts(notWritable()), makeConfig({ activate: false }))
    expect(told('notice')[0]).not.toMatch(/PIP_REQUIRE_VIRTUALENV/)
    expect(guard.finish(['/venv/site'], [])).toEqual({ clean: true })
    expect(guard.auditState()).toBeDefined()
  })
})

describe('auditUserSite (post)', () => {
  const state = (entries: string[], policy: 'fail' | 'warn' | 'ignore') => ({
    userSite,
    entries,
    policy
  })

  it('fails the job when later steps installed into the user site and the policy is fail', () => {
    addDistribution('later-2.0')
    expect(auditUserSite(state([], 'fail'))).toBe(true)
    expect(core.error).toHaveBeenCalledWith(
      expect.stringMatching(/gained later 2.0/),
      expect.objectContaining({ title: expect.any(String) })
    )
  })

  it('warns with the policy warn, and says so when nothing was gained', () => {
    addDistribution('later-2.0')
    expect(auditUserSite(state([], 'warn'))).toBe(false)
    expect(core.warning).toHaveBeenCalledTimes(1)
    auditUserSite(state(['later-2.0.dist-info'], 'warn'))
    expect(core.info).toHaveBeenCalledWith(expect.stringMatching(/gained nothing/))
  })
})
