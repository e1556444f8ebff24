import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  describeRun,
  errors,
  hermeticEnv,
  newRunner,
  runAction,
  type ActionRun,
  type Runner
} from '../helpers/action.js'
import { hasSystemPython, lacksInstallation, SYSTEM_PYTHON } from '../helpers/pythons.js'
import {
  ensureRootOwnedPython,
  ensureUser,
  GUARD_USER,
  handOver,
  rootOwnedPython,
  runAs
} from '../helpers/users.js'
import { probeUserSite } from '../../src/guard/probe.js'

// Real situations only: the action runs as a user who cannot write the interpreter's
// site-packages (a root-owned CPython, mode 755), or against Debian's PEP 668 python3. Setting that
// up (useradd, a copy in /opt, chown) needs root and a 3.12 installation to copy; elsewhere the
// file is skipped.
const asRoot =
  process.platform === 'linux' && process.getuid?.() === 0 && !lacksInstallation('3.12')
const python = rootOwnedPython('3.12')
const userSite = (runner: Runner) =>
  path.join(runner.home, '.local', 'lib', 'python3.12', 'site-packages')
const level = (run: ActionRun, l: string) => run.annotations.filter(a => a.level === l)

/** A runner owned by the user, with a requirements file, and the action run there as that user. */
async function runAsUser(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  requirements = 'alpha\n'
): Promise<{ runner: Runner; run: ActionRun }> {
  const runner = newRunner()
  fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), requirements)
  handOver(runner)
  const run = await runAction(runner, { user: GUARD_USER, env: { ...python.env, ...env }, inputs })
  return { runner, run }
}

beforeAll(() => {
  if (!asRoot) return
  ensureUser()
  ensureRootOwnedPython('3.12')
  // The copy runs for the user, and the user cannot write it: the premise of every test here.
  const probe = runAs(
    python.executable,
    ['-c', 'import os, sys; print(os.access(sys.prefix, os.W_OK))'],
    python.env,
    '/'
  )
  expect(probe.output.trim()).toBe('False')
})

describe.runIf(asRoot)('create-venv: false with a site-packages the user cannot write', () => {
  const base = { 'python-path': python.executable, 'create-venv': 'false' }

  it('fail: stops before pip runs, says why and how to fix it, nothing lands in ~/.local', async () => {
    const { runner, run } = await runAsUser(base)
    expect(run.exitCode, describeRun(run)).toBe(1)
    expect(errors(run)).toHaveLength(1)
    const message = errors(run)[0].message
    expect(message).toContain(
      `${python.prefix}/lib/python3.12/site-packages is not writable by ${GUARD_USER} (it belongs to root)`
    )
    expect(message).toContain(userSite(runner))
    expect(message).toMatch(
      /Stopped before running pip.*\n[^]*1\) use a venv.*2\) run the job as root.*3\) .*--user/
    )
    expect(run.outputs).toMatchObject({
      'user-site-fallback': 'true',
      'fallback-reason': 'site-not-writable'
    })
    expect(run.outputs['clean-install']).toBeUndefined()
    expect(run.stdout).not.toContain('::group::')
    expect(fs.existsSync(path.join(runner.home, '.local'))).toBe(false)
  })

  it('warn with pip install -q: goes on, and the check after catches the silent fallback', async () => {
    const { runner, run } = await runAsUser({ ...base, 'on-user-site': 'warn', 'pip-args': '-q' })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(run.stdout).not.toMatch(/^Defaulting to user installation/m)
    const warnings = level(run, 'warning').map(w => w.message)
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toContain('Going on, as on-user-site is warn')
    expect(warnings[1]).toMatch(/install is not clean.*gained .*alpha 2\.0\.0/)
    expect(errors(run)).toEqual([])
    expect(run.outputs).toMatchObject({ 'user-site-fallback': 'true', 'clean-install': 'false' })
    expect(fs.readdirSync(userSite(runner))).toContain('alpha-2.0.0.dist-info')
  })

  it('ignore: goes on without a word', async () => {
    const { runner, run } = await runAsUser({ ...base, 'on-user-site': 'ignore' })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(run.annotations).toEqual([])
    expect(run.outputs).toMatchObject({
      'fallback-reason': 'site-not-writable',
      'clean-install': 'false'
    })
    expect(fs.readdirSync(userSite(runner))).toContain('alpha-2.0.0.dist-info')
  })

  it('--user on purpose is no fallback: clean, into the user site', async () => {
    const { runner, run } = await runAsUser({ ...base, 'pip-args': '--user', upgrade: '' })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(run.annotations).toEqual([])
    expect(run.outputs).toMatchObject({ 'user-site-fallback': 'false', 'clean-install': 'true' })
    expect(fs.readdirSync(userSite(runner))).toContain('alpha-2.0.0.dist-info')
  })
})

describe.runIf(asRoot)(
  'with a venv (the default), the base interpreter is reported, not failed',
  () => {
    const configFile = (runner: Runner) => path.join(runner.dir, 'pip.conf')
    const cases: Array<[string, string, (runner: Runner) => Record<string, string>]> = [
      ['PIP_USER=1', 'user-forced-by-env', () => ({ PIP_USER: '1' })],
      [
        'PIP_NO_USER=1 (pip reads it as user = 1)',
        'user-forced-by-env',
        () => ({ PIP_NO_USER: '1' })
      ],
      [
        '[install] user = yes in PIP_CONFIG_FILE',
        'user-forced-by-config',
        runner => {
          fs.writeFileSync(configFile(runner), '[install]\nuser = yes\n')
          return { PIP_CONFIG_FILE: configFile(runner) }
        }
      ]
    ]
    it.each(cases)('%s: overridden for the own pip, said so', async (_name, reason, env) => {
      const runner = newRunner()
      fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), 'alpha\n')
      const extra = env(runner)
      handOver(runner)
      const run = await runAction(runner, {
        user: GUARD_USER,
        env: { ...python.env, ...extra },
        inputs: { 'python-path': python.executable }
      })
      expect(run.exitCode, describeRun(run)).toBe(0)
      expect(run.outputs).toMatchObject({
        'user-site-fallback': 'true',
        'fallback-reason': reason,
        'clean-install': 'true'
      })
      const notices = level(run, 'notice')
      expect(notices).toHaveLength(1)
      expect(notices[0].message).toMatch(/makes pip refuse .*venv-guard overrode it/)
      expect(run.stdout).toMatch(
        /runs its own pip with PIP_USER=0 and without PIP_NO_USER, overriding/
      )
      expect(errors(run).concat(level(run, 'warning'))).toEqual([])
      expect(fs.existsSync(path.join(runner.home, '.local'))).toBe(false)
      const venvPython = run.outputs['python-path']
      expect(
        runAs(venvPython, ['-c', 'import alpha; print(alpha.VERSION)'], python.env, '/').output
      ).toBe('2.0.0\n')
    })

    it('the probe finds the user config file pip finds, [global] user = true', async () => {
      const runner = newRunner()
      const file = path.join(runner.home, '.config', 'pip', 'pip.conf')
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, '[global]\nuser = true\n')
      // No PIP_CONFIG_FILE: pip looks in its own places, the home directory among them.
      const env: Record<string, string | undefined> = { ...hermeticEnv(runner), ...python.env }
      for (const key of Object.keys({ ...process.env, ...env }))
        if (key.startsWith('PIP_') || key.startsWith('XDG_')) env[key] = undefined
      const pipSays = execFileSync(python.executable, ['-m', 'pip', 'config', 'list', '-v'], {
        env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
          string,
          string
        >,
        encoding: 'utf8'
      })
      expect(pipSays).toContain("global.user='true'")
      const facts = await probeUserSite(python.executable, runner.temp, env)
      expect(facts.settings).toEqual([
        { key: 'user', value: 'true', where: file, section: 'global' }
      ])
    })
  }
)

describe.runIf(asRoot)('later steps and the post step', () => {
  it('pip outside the venv refuses with the exported guard, falls back without it, and post annotates that', async () => {
    const { runner, run } = await runAsUser({ 'python-path': python.executable })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(run.outputs).toMatchObject({
      'fallback-reason': 'site-not-writable',
      'clean-install': 'true'
    })
    expect(level(run, 'notice')).toHaveLength(1)
    expect(run.exportedEnv.PIP_REQUIRE_VIRTUALENV).toBe('true')

    const step = { ...hermeticEnv(runner), ...python.env }
    const install = ['-m', 'pip', 'install', 'gamma']
    const guarded = runAs(
      python.executable,
      install,
      { ...step, ...run.exportedEnv },
      runner.workspace
    )
    expect(guarded.status, guarded.output).toBe(3)
    expect(guarded.output).toContain('Could not find an activated virtualenv (required)')
    expect(fs.existsSync(path.join(runner.home, '.local'))).toBe(false)

    const unguarded = runAs(python.executable, install, step, runner.workspace)
    expect(unguarded.status, unguarded.output).toBe(0)
    expect(unguarded.output).toContain('Defaulting to user installation')

    const post = await runAction(runner, { user: GUARD_USER, env: python.env, entry: 'post' })
    expect(post.exitCode, describeRun(post)).toBe(1)
    expect(errors(post)).toHaveLength(1)
    expect(errors(post)[0].message).toMatch(
      new RegExp(`${userSite(runner)} gained delta [\\d.]+, gamma [\\d.]+: a later step`)
    )
  })
})

describe.runIf(asRoot && hasSystemPython())('Debian system python3 (PEP 668)', () => {
  const base = { 'python-path': SYSTEM_PYTHON, requirements: '' }

  it('create-venv false, fail: refused before pip runs, with the distributor text', async () => {
    const { runner, run } = await runAsUser({ ...base, 'create-venv': 'false', packages: 'alpha' })
    expect(run.exitCode, describeRun(run)).toBe(1)
    expect(errors(run)).toHaveLength(1)
    expect(errors(run)[0].properties.title).toMatch(/externally managed/)
    expect(errors(run)[0].message).toMatch(
      /EXTERNALLY-MANAGED[^]*The distributor says: To install Python packages system-wide, try apt install/
    )
    expect(run.outputs).toMatchObject({
      'user-site-fallback': 'true',
      'fallback-reason': 'externally-managed'
    })
    expect(fs.existsSync(path.join(runner.home, '.local'))).toBe(false)
  })

  it('create-venv false, warn: pip runs, refuses, and the scan explains it', async () => {
    const { run } = await runAsUser({
      ...base,
      'create-venv': 'false',
      'on-user-site': 'warn',
      packages: 'alpha'
    })
    expect(run.exitCode, describeRun(run)).toBe(1)
    expect(level(run, 'warning')).toHaveLength(1)
    expect(errors(run)).toHaveLength(1)
    expect(errors(run)[0].message).toMatch(/pip refused during "/)
  })

  it('with a venv: installs, and notes the base is externally managed', async () => {
    const { runner, run } = await runAsUser({ ...base, packages: 'alpha' })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(run.outputs).toMatchObject({
      'fallback-reason': 'externally-managed',
      'clean-install': 'true'
    })
    expect(level(run, 'notice')).toHaveLength(1)
    expect(fs.existsSync(path.join(runner.home, '.local'))).toBe(false)
  })
})

describe.runIf(asRoot)('as root, the owner', () => {
  it('nothing to report: no fallback, clean', async () => {
    const runner = newRunner()
    const run = await runAction(runner, {
      env: python.env,
      inputs: { 'python-path': python.executable, packages: 'alpha' }
    })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(run.outputs).toMatchObject({
      'user-site-fallback': 'false',
      'fallback-reason': '',
      'clean-install': 'true'
    })
    expect(run.annotations).toEqual([])
  })
})
