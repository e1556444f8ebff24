import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  describeRun,
  errors,
  hermeticEnv,
  newRunner,
  runAction,
  type ActionRun,
  type Runner
} from '../helpers/action.js'
import { startIndex, type IndexServer } from '../helpers/index-server.js'
import { WHEELHOUSE } from '../helpers/paths.js'
import { lacks, pythonOf } from '../helpers/pythons.js'

const STACK_TRACE = /\n\s+at [^\n]*\.js:\d+:\d+/

/** Exit 1, at least one ::error, no stack trace: what every failure of the battery must look like. */
function expectCleanFailure(run: ActionRun, message: RegExp): void {
  expect(run.exitCode, describeRun(run)).toBe(1)
  expect(errors(run).length, describeRun(run)).toBeGreaterThanOrEqual(1)
  expect(
    errors(run)
      .map(e => e.message)
      .join('\n')
  ).toMatch(message)
  expect(run.stdout + run.stderr).not.toMatch(STACK_TRACE)
}

function marker(venv: string): { complete: boolean } | undefined {
  const file = path.join(venv, 'venv-guard.json')
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined
}

function listTree(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()
}

describe.skipIf(lacks('3.11', '3.12'))('bad input', () => {
  it('passes shell metacharacters in pip-args to pip as literal words', async () => {
    const runner = newRunner()
    const pwned = path.join(runner.dir, 'PWNED')
    const run = await runAction(runner, {
      inputs: {
        'python-version': '3.12',
        packages: 'zeta',
        upgrade: '',
        'pip-args': `--log "$(touch ${pwned}).log" --no-color`
      }
    })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(fs.existsSync(pwned)).toBe(false)
    expect(fs.existsSync(path.join(runner.workspace, `$(touch ${pwned}).log`))).toBe(true)
  })

  it('refuses a package line with shell syntax as an invalid requirement and runs nothing', async () => {
    const runner = newRunner()
    fs.writeFileSync(path.join(runner.home, 'keep'), 'x')
    const run = await runAction(runner, {
      inputs: { 'python-version': '3.12', packages: 'zeta; rm -rf ~\n`touch PWNED`' }
    })
    expectCleanFailure(run, /[Ii]nvalid (requirement|marker)/)
    expect(fs.existsSync(path.join(runner.home, 'keep'))).toBe(true)
    expect(fs.existsSync(path.join(runner.workspace, 'PWNED'))).toBe(false)
  })

  it.each([
    ['a directory', (ws: string) => fs.mkdirSync(path.join(ws, 'reqs')), 'reqs', /is not a file/],
    [
      'binary',
      (ws: string) => fs.writeFileSync(path.join(ws, 'reqs'), Buffer.from([0x50, 0x4b, 0, 1, 2])),
      'reqs',
      // pip reads it and fails on the line with the NUL byte: so does the parser.
      /the line has NUL bytes: the file is binary/
    ],
    [
      'Latin-1',
      (ws: string) =>
        fs.writeFileSync(path.join(ws, 'reqs'), Buffer.from('zeta # caf\xe9\n', 'latin1')),
      'reqs',
      /not a text file pip can read/
    ],
    [
      'an include cycle',
      (ws: string) => {
        fs.writeFileSync(path.join(ws, 'reqs'), 'zeta\n-r other.txt\n')
        fs.writeFileSync(path.join(ws, 'other.txt'), '-r reqs\n')
      },
      'reqs',
      /include cycle: reqs -> other\.txt -> reqs/
    ]
  ])(
    'refuses a requirements file that is %s, before pip runs',
    async (_name, prepare, requirements, message) => {
      const runner = newRunner()
      prepare(runner.workspace)
      const run = await runAction(runner, { inputs: { 'python-version': '3.12', requirements } })
      expectCleanFailure(run, message)
      expect(fs.existsSync(path.join(runner.workspace, '.venv'))).toBe(false)
    }
  )

  it('allows an include outside the repository, and says so', async () => {
    const runner = newRunner()
    fs.writeFileSync(path.join(runner.dir, 'shared.txt'), 'zeta\n')
    fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), '-r ../shared.txt\n')
    const run = await runAction(runner, { inputs: { 'python-version': '3.12' } })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(run.annotations.find(a => a.level === 'notice')?.message).toMatch(
      /shared\.txt, which is outside the workspace/
    )
  })

  it('works with a venv-path with spaces and non-ASCII characters', async () => {
    const runner = newRunner()
    const run = await runAction(runner, {
      inputs: { 'python-version': '3.12', 'venv-path': 'my envs/vénv ü', packages: 'alpha' }
    })
    expect(run.exitCode, describeRun(run)).toBe(0)
    const venv = path.join(runner.workspace, 'my envs', 'vénv ü')
    expect(run.outputs['venv-path']).toBe(venv)
    expect(execFileSync(path.join(venv, 'bin', 'alpha-cli'), { encoding: 'utf8' })).toBe(
      'alpha 2.0.0\n'
    )
  })

  it('works with an absolute venv-path outside the workspace', async () => {
    const runner = newRunner()
    const venv = path.join(runner.dir, 'elsewhere', 'venv')
    const run = await runAction(runner, {
      inputs: { 'python-version': '3.12', 'venv-path': venv, upgrade: '' }
    })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(run.outputs['venv-path']).toBe(venv)
  })

  it('leaves a venv of another interpreter that it did not create untouched', async () => {
    const runner = newRunner()
    const venv = path.join(runner.workspace, '.venv')
    execFileSync(pythonOf('3.11').executable, ['-m', 'venv', '--without-pip', venv])
    const before = listTree(venv)
    const run = await runAction(runner, { inputs: { 'python-version': '3.12' } })
    expectCleanFailure(run, /another interpreter .*did not create/)
    expect(listTree(venv)).toEqual(before)
  })

  it('refuses python-path and python-version that disagree', async () => {
    const runner = newRunner()
    const run = await runAction(runner, {
      inputs: { 'python-path': pythonOf('3.11').executable, 'python-version': '3.12' }
    })
    expectCleanFailure(
      run,
      /'python-path' \(3\.11\.\d+, cpython\) contradicts input 'python-version' \("3\.12"\)/
    )
    expect(errors(run)).toHaveLength(1)
  })
})

describe.skipIf(lacks('3.11', '3.12'))('a package index on 127.0.0.1', () => {
  let index: IndexServer
  beforeAll(async () => {
    index = await startIndex(WHEELHOUSE)
  })
  afterAll(() => index.close())

  function withIndex(runner: Runner, url: string, extraArgs = '') {
    return runAction(runner, {
      inputs: {
        'python-version': '3.12',
        packages: 'gamma',
        'pip-args': `--index-url ${url} --timeout 2 --retries 1 ${extraArgs}`
      },
      env: { PIP_NO_INDEX: undefined, PIP_FIND_LINKS: undefined },
      timeoutMs: 100_000
    })
  }

  it('masks credentials of the index URL in every log line, annotation and summary', async () => {
    index.fault = 'none'
    index.auth = { user: 'ci-user', password: 's3cr3t-t0ken' }
    try {
      const url = index.url.replace('http://', 'http://ci-user:s3cr3t-t0ken@')
      const ok = await withIndex(newRunner(), url)
      expect(ok.exitCode, describeRun(ok)).toBe(0)
      const failed = await runAction(newRunner(), {
        inputs: {
          'python-version': '3.12',
          packages: 'no-such-package',
          'pip-args': `--index-url ${url} --timeout 2 --retries 0`
        },
        env: { PIP_NO_INDEX: undefined, PIP_FIND_LINKS: undefined }
      })
      expectCleanFailure(failed, /no-such-package|No matching distribution/)
      for (const run of [ok, failed]) {
        const lines = run.stdout.split('\n')
        const mask = lines.findIndex(l => l === '::add-mask::s3cr3t-t0ken')
        expect(mask, describeRun(run)).toBeGreaterThanOrEqual(0)
        expect(
          lines.findIndex(l => l.includes('s3cr3t-t0ken') && !l.startsWith('::add-mask::'))
        ).toBe(-1)
        expect(run.stderr + run.summary).not.toContain('s3cr3t-t0ken')
      }
    } finally {
      index.auth = undefined
    }
  })

  it.each([
    ['down', 'down', '', /could not reach the index/],
    // pip logs nothing about a 500 without -v: all it says is that no version matched.
    ['answering 500', 'error-500', '', /No version of pip matches.*the index pip uses/],
    ['hanging', 'hang', '', /could not reach the index/],
    ['serving a truncated wheel', 'truncated-wheel', '', /pip install failed|zip|wheel|HASHES/i],
    ['serving a wrong hash', 'wrong-hash', '', /pip install failed|HASHES|hash/i]
  ] as const)(
    '%s: a clear error, and no venv left looking complete',
    async (_name, fault, extra, message) => {
      const runner = newRunner()
      index.fault = fault === 'down' ? 'none' : fault
      const url = fault === 'down' ? 'http://127.0.0.1:9/simple' : index.url
      const run = await withIndex(runner, url, extra)
      index.fault = 'none'
      expectCleanFailure(run, message)
      expect(marker(path.join(runner.workspace, '.venv'))?.complete).toBe(false)
      // The next run rebuilds it and succeeds.
      const again = await withIndex(runner, index.url)
      expect(again.exitCode, describeRun(again)).toBe(0)
      expect(again.stdout).toContain('left incomplete by an interrupted run')
    }
  )
})

describe.skipIf(lacks('3.11', '3.12'))('faults of the machine', () => {
  it('says clearly when the interpreter disappears between discovery and use', async () => {
    const runner = newRunner()
    const dir = path.join(runner.dir, 'vanishing')
    fs.mkdirSync(dir)
    const link = path.join(dir, 'python3')
    fs.symlinkSync(pythonOf('3.12').executable, link)
    // Answers the interpreter probe through the link (so the link is what venv-guard remembers),
    // then removes it; the user-site check, which may start beside the probe, is answered too.
    const wrapper = path.join(dir, 'python-once')
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\n"${link}" "$@"\nrc=$?\ncase "$*" in *interpreter_probe.py*) rm -f "${link}" ;; esac\nexit $rc\n`,
      { mode: 0o755 }
    )
    const run = await runAction(runner, { inputs: { 'python-path': wrapper } })
    expectCleanFailure(
      run,
      new RegExp(`Could not start ${link.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)
    )
  })

  const canMount = (() => {
    try {
      const probe = fs.mkdtempSync('/tmp/vg-mount-')
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' })
      execFileSync('umount', [probe])
      fs.rmdirSync(probe)
      return true
    } catch {
      return false
    }
  })()

  it.skipIf(!canMount)(
    'fails clearly when the disk fills up, and leaves no venv looking complete',
    async () => {
      const runner = newRunner()
      const small = path.join(runner.dir, 'small-disk')
      fs.mkdirSync(small)
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', small])
      try {
        const venv = path.join(small, 'venv')
        const run = await runAction(runner, {
          inputs: { 'python-version': '3.12', 'venv-path': venv, packages: 'alpha' }
        })
        expectCleanFailure(run, /No space left on device|pip install failed/)
        expect(marker(venv)?.complete).not.toBe(true)
      } finally {
        execFileSync('umount', ['-l', small])
      }
    }
  )

  it('rebuilds a venv whose install was cancelled (SIGTERM to the step)', async () => {
    const runner = newRunner()
    const inputs = { 'python-version': '3.12', packages: 'alpha\ngamma\nepsilon' }
    // Start the step as the runner does, and cancel it once pip is running.
    const env: Record<string, string> = {
      ...hermeticEnv(runner),
      GITHUB_WORKSPACE: runner.workspace
    }
    for (const [k, v] of Object.entries({
      'python-version': '3.12',
      upgrade: 'pip setuptools wheel',
      packages: inputs.packages
    })) {
      env[`INPUT_${k.toUpperCase()}`] = v
    }
    const child = spawn(process.execPath, [path.resolve('dist/main/index.js')], {
      cwd: runner.workspace,
      env,
      detached: true
    })
    const closed = new Promise(resolve => child.on('close', resolve))
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('::group::')) process.kill(-child.pid!, 'SIGTERM')
    })
    await closed
    expect(marker(path.join(runner.workspace, '.venv'))?.complete).toBe(false)
    const run = await runAction(runner, { inputs })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(run.stdout).toContain('left incomplete by an interrupted run')
  })
})
