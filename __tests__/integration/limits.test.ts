import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  describeRun,
  errors,
  hermeticEnv,
  newRunner,
  parseAnnotations,
  runAction,
  type ActionRun
} from '../helpers/action.js'
import { ROOT } from '../helpers/paths.js'
import { lacks, pythonOf } from '../helpers/pythons.js'

/** Nothing a repository holds or a runner has installed can hang the step or blow its limits. */

const STACK_TRACE = /\n\s+at [^\n]*\.js:\d+:\d+|Maximum call stack/

/** GitHub rejects a step summary larger than this, whole. */
const SUMMARY_LIMIT = 1024 * 1024

function expectCleanFailure(run: ActionRun, message: RegExp): void {
  expect(run.exitCode, describeRun(run)).toBe(1)
  expect(
    errors(run)
      .map(e => e.message)
      .join('\n'),
    describeRun(run)
  ).toMatch(message)
  expect(run.stdout + run.stderr).not.toMatch(STACK_TRACE)
}

describe.skipIf(lacks('3.12'))('requirements files that never end', () => {
  it.each([
    ['/dev/zero', () => '/dev/zero', /not a regular file/],
    [
      'a FIFO nobody writes to',
      (ws: string) => {
        execFileSync('mkfifo', [path.join(ws, 'pipe.txt')])
        return 'pipe.txt'
      },
      /not a regular file/
    ],
    [
      'a 1 GiB file',
      (ws: string) => {
        const big = path.join(ws, 'big.txt')
        fs.writeFileSync(big, '')
        fs.truncateSync(big, 1024 ** 3)
        return 'big.txt'
      },
      /larger than/
    ]
  ])(
    '-r %s inside requirements.txt: one error on that line, before pip runs',
    async (_n, make, message) => {
      const runner = newRunner()
      const target = make(runner.workspace)
      fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), `zeta\n-r ${target}\n`)
      const run = await runAction(runner, {
        inputs: { 'python-version': '3.12', upgrade: '' },
        timeoutMs: 60_000
      })
      expectCleanFailure(run, message)
      expect(errors(run)[0].properties).toMatchObject({ file: 'requirements.txt', line: '2' })
      expect(fs.existsSync(path.join(runner.workspace, '.venv'))).toBe(false)
    }
  )
})

describe.skipIf(lacks('3.12'))('many invalid lines', () => {
  it.each([10_000, 200_000])(
    '%i invalid lines: at most 10 annotations, a summary under 1 MiB that says how many more',
    async count => {
      const runner = newRunner()
      const lines = Array.from({ length: count }, (_, i) => `not a requirement ${i} !`)
      fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), lines.join('\n') + '\n')
      const run = await runAction(runner, {
        inputs: { 'python-version': '3.12', upgrade: '' },
        timeoutMs: 60_000
      })
      expectCleanFailure(run, /not a valid requirement/)
      expect(errors(run).length).toBeLessThanOrEqual(10)
      expect(run.annotations.length).toBeLessThanOrEqual(20)
      expect(Buffer.byteLength(run.summary)).toBeLessThan(SUMMARY_LIMIT)
      expect(run.summary).toMatch(/… and \d+ more/)
    }
  )
})

describe.skipIf(lacks('3.12'))('an interpreter on PATH that never answers', () => {
  it.each([
    ['python-version 3.12 (another one matches)', 'python3.12', { 'python-version': '3.12' }],
    ['the default python (the next one on PATH answers)', 'python3', {}]
  ])('%s: skipped with a warning that names it', async (_name, fakeName, inputs) => {
    const runner = newRunner()
    const silent = path.join(runner.dir, 'silent-bin')
    fs.mkdirSync(silent)
    const fake = path.join(silent, fakeName)
    // Not exec: the shell's child holds the pipes open after the shell itself is killed.
    fs.writeFileSync(fake, '#!/bin/sh\nsleep 600\n', { mode: 0o755 })
    const real = path.join(runner.dir, 'real-bin')
    fs.mkdirSync(real)
    fs.symlinkSync(pythonOf('3.12').executable, path.join(real, 'python3'))
    const run = await runAction(runner, {
      inputs: { ...inputs, upgrade: '' },
      env: { PATH: `${silent}:${real}:${process.env.PATH ?? ''}` },
      timeoutMs: 90_000
    })
    expect(run.exitCode, describeRun(run)).toBe(0)
    const warnings = run.annotations.filter(a => a.level === 'warning').map(a => a.message)
    expect(
      warnings.some(w => w.includes(fake)),
      describeRun(run)
    ).toBe(true)
    expect(run.outputs['python-version']).toMatch(/^3\.12\./)
  })
})

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^\d+ \(.*\) Z /.test(stat)
  } catch {
    return false
  }
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (condition()) return true
    await new Promise(r => setTimeout(r, 100))
  }
  return condition()
}

const SLOW_BACKEND = `import os, time
from make_wheels import build_wheel as _build_wheel

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    here = os.path.dirname(os.path.abspath(__file__))
    if os.path.exists(os.path.join(here, "SLOW")):
        with open(os.path.join(here, "pids"), "w") as f:
            f.write("%d %d" % (os.getpid(), os.getppid()))
        time.sleep(300)
    return _build_wheel(wheel_directory, config_settings, metadata_directory)
`

describe.skipIf(lacks('3.12'))('cancellation', () => {
  it('SIGINT mid-build: pip and the build backend are stopped, the venv stays incomplete, a rerun succeeds', async () => {
    const runner = newRunner()
    const project = path.join(runner.workspace, 'slowpkg')
    fs.mkdirSync(project)
    fs.copyFileSync(
      path.join(ROOT, 'scripts', 'make_wheels.py'),
      path.join(project, 'make_wheels.py')
    )
    fs.writeFileSync(
      path.join(project, 'spec.json'),
      JSON.stringify({ name: 'slowpkg', version: '1.0' })
    )
    fs.writeFileSync(path.join(project, 'slow_backend.py'), SLOW_BACKEND)
    fs.writeFileSync(
      path.join(project, 'pyproject.toml'),
      '[build-system]\nrequires = []\nbuild-backend = "slow_backend"\nbackend-path = ["."]\n'
    )
    fs.writeFileSync(path.join(project, 'SLOW'), '')
    const inputs = { 'python-version': '3.12', packages: 'zeta\n./slowpkg', upgrade: '' }

    const env: Record<string, string> = {
      ...hermeticEnv(runner),
      GITHUB_WORKSPACE: runner.workspace,
      RUNNER_TEMP: runner.temp
    }
    for (const [name, value] of Object.entries({ 'venv-path': '.venv', ...inputs }))
      env[`INPUT_${name.toUpperCase()}`] = value
    // Detached, as the runner starts a step: the signal goes to node alone, not its group.
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'main', 'index.js')], {
      cwd: runner.workspace,
      env,
      detached: true
    })
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()))
    const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
    const pidsFile = path.join(project, 'pids')
    let pids: number[] = []
    try {
      expect(
        await until(() => fs.existsSync(pidsFile) && fs.statSync(pidsFile).size > 0, 60_000),
        stdout
      ).toBe(true)
      pids = fs.readFileSync(pidsFile, 'utf8').split(' ').map(Number)
      child.kill('SIGINT')
      const timeout = new Promise<'timeout'>(r => setTimeout(() => r('timeout'), 20_000))
      expect(await Promise.race([exited, timeout]), stdout).not.toBe('timeout')
      expect(
        await until(() => pids.every(pid => !alive(pid)), 5_000),
        `still running: ${pids.filter(alive).join(' ')}`
      ).toBe(true)
      const said = parseAnnotations(stdout).filter(a => /cancel/i.test(a.message))
      expect(said, stdout).toHaveLength(1)
      const marker = JSON.parse(
        fs.readFileSync(path.join(runner.workspace, '.venv', 'venv-guard.json'), 'utf8')
      ) as { complete: boolean }
      expect(marker.complete).toBe(false)
    } finally {
      for (const pid of [...pids, -child.pid!]) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // gone already
        }
      }
    }
    fs.rmSync(path.join(project, 'SLOW'))
    const again = await runAction(runner, { inputs })
    expect(again.exitCode, describeRun(again)).toBe(0)
    expect(again.stdout).toContain('left incomplete by an interrupted run')
  })
})
