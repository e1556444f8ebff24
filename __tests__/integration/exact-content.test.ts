// The venv, its key and its cache entry come from one reading of the inputs, and nothing
// venv-guard did not create is ever deleted: each case is how a self-hosted runner's user, or a
// repository, would meet the gap.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  describeRun,
  errors,
  hermeticEnv,
  newRunner,
  runAction,
  type ActionRun,
  type Runner
} from '../helpers/action.js'
import { archives, installed, succeeded, warnings } from '../helpers/cache-runs.js'
import { findPython, lacks } from '../helpers/pythons.js'

// Every describe below is skipped without it.
const PYTHON = findPython('3.12')?.executable ?? ''

function write(runner: Runner, file: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(runner.workspace, file)), { recursive: true })
  fs.writeFileSync(path.join(runner.workspace, file), content)
}

const main = (runner: Runner, inputs: Record<string, string> = {}, env = {}): Promise<ActionRun> =>
  runAction(runner, { inputs: { 'python-path': PYTHON, ...inputs }, env })
const post = (runner: Runner, env = {}): Promise<ActionRun> =>
  runAction(runner, { entry: 'post', env })

/** Whether the venv's python imports `module`. */
function imports(runner: Runner, venv: string, module: string): boolean {
  try {
    execFileSync(path.join(venv, 'bin', 'python'), ['-c', `import ${module}`], {
      env: hermeticEnv(runner),
      stdio: 'pipe'
    })
    return true
  } catch {
    return false
  }
}

describe.skipIf(lacks('3.12'))('the reused venv is the fresh venv', () => {
  it('a removed requirement is gone from the reused venv and from what post saves', async () => {
    const runner = newRunner('vg-removed-')
    const inputs = { 'cache-dir': path.join(runner.dir, 'cache') }
    const venv = path.join(runner.workspace, '.venv')
    write(runner, 'requirements.txt', 'alpha\ngamma\n')
    succeeded(await main(runner, inputs))
    succeeded(await post(runner))
    write(runner, 'requirements.txt', 'alpha\n')
    const reused = await main(runner, inputs)
    succeeded(reused)
    expect(imports(runner, venv, 'gamma')).toBe(false)
    expect(imports(runner, venv, 'alpha')).toBe(true)
    succeeded(await post(runner))
    fs.rmSync(venv, { recursive: true })
    fs.writeFileSync(runner.state, '')
    const restored = await main(runner, inputs)
    expect(restored.outputs['cache-hit'], describeRun(restored)).toBe('true')
    expect(imports(runner, venv, 'gamma')).toBe(false)
  })
})

describe.skipIf(lacks('3.12'))('the key describes what pip read', () => {
  it('a ${VAR} in a requirements file is part of the key: another value is another venv', async () => {
    const runner = newRunner('vg-var-')
    const inputs = { 'cache-dir': path.join(runner.dir, 'cache') }
    write(runner, 'requirements.txt', 'alpha==${ALPHA_VERSION}\n')
    const first = await main(runner, inputs, { ALPHA_VERSION: '2.0.0' })
    succeeded(first)
    succeeded(await post(runner))
    fs.rmSync(path.join(runner.workspace, '.venv'), { recursive: true })
    fs.writeFileSync(runner.state, '')
    const second = await main(runner, inputs, { ALPHA_VERSION: '1.0.0' })
    succeeded(second)
    expect(second.outputs['cache-hit']).toBe('false')
    expect(second.outputs['cache-key']).not.toBe(first.outputs['cache-key'])
    const version = execFileSync(
      second.outputs['python-path'],
      ['-c', 'import alpha; print(alpha.VERSION)'],
      { env: hermeticEnv(runner), encoding: 'utf8' }
    )
    expect(version).toBe('1.0.0\n')
  })

  it('a requirements file rewritten during the job: the venv is not saved under the key of what was read', async () => {
    const runner = newRunner('vg-rewritten-')
    const cacheDir = path.join(runner.dir, 'cache')
    write(runner, 'requirements.txt', 'alpha\n')
    succeeded(await main(runner, { 'cache-dir': cacheDir }))
    write(runner, 'requirements.txt', 'alpha\ngamma\n')
    const saved = await post(runner)
    expect(saved.exitCode).toBe(0)
    expect(warnings(saved)).toEqual([
      expect.stringMatching(
        /venv was not saved: .*requirements\.txt changed since venv-guard read it/
      )
    ])
    expect(archives(cacheDir).venv).toEqual([])
  })
})

describe.skipIf(lacks('3.12'))('nothing venv-guard did not create is ever removed', () => {
  it('a committed restore mark beside data/ never removes data/, with cache off too', async () => {
    const runner = newRunner('vg-mark-data-')
    write(runner, 'data/results.csv', 'precious\n')
    write(runner, '.data.venv-guard-restoring', '')
    const run = await main(runner, { 'venv-path': 'data', cache: 'false' })
    expect(run.exitCode).toBe(1)
    expect(
      errors(run)
        .map(e => e.message)
        .join('\n')
    ).toMatch(/not a virtual environment/)
    expect(fs.readFileSync(path.join(runner.workspace, 'data/results.csv'), 'utf8')).toBe(
      'precious\n'
    )
    expect(fs.existsSync(path.join(runner.workspace, '.data.venv-guard-restoring'))).toBe(true)
  })

  it('a restore mark beside a venv the user made never removes that venv', async () => {
    const runner = newRunner('vg-mark-venv-')
    write(runner, 'requirements.txt', 'zeta\n')
    const venv = path.join(runner.workspace, '.venv')
    execFileSync(PYTHON, ['-m', 'venv', venv])
    fs.writeFileSync(path.join(venv, 'mine.txt'), 'mine\n')
    write(runner, '..venv.venv-guard-restoring', '{"dev":1,"ino":2,"birthtimeMs":3,"created":true}')
    const run = await main(runner, { cache: 'false' })
    succeeded(run)
    expect(fs.readFileSync(path.join(venv, 'mine.txt'), 'utf8')).toBe('mine\n')
    expect(imports(runner, venv, 'zeta')).toBe(true)
  })
})

describe.skipIf(lacks('3.12'))('cache-dir hygiene', () => {
  it('an unusable .tar.gz with a future time beside a good .tar: the good one is restored', async () => {
    const runner = newRunner('vg-future-')
    const cacheDir = path.join(runner.dir, 'cache')
    write(runner, 'requirements.txt', 'alpha\n')
    succeeded(await main(runner, { 'cache-dir': cacheDir }))
    succeeded(await post(runner))
    const [good] = archives(cacheDir).venv
    expect(good).toMatch(/\.tar$/)
    const bad = `${good}.gz`
    fs.writeFileSync(bad, 'not an archive')
    const future = new Date(Date.now() + 365 * 24 * 3600 * 1000)
    fs.utimesSync(bad, future, future)

    fs.rmSync(path.join(runner.workspace, '.venv'), { recursive: true })
    fs.writeFileSync(runner.state, '')
    const hit = await main(runner, { 'cache-dir': cacheDir })
    succeeded(hit)
    expect(hit.outputs['cache-hit'], describeRun(hit)).toBe('true')
    expect(installed(hit)).toBe(false)
  })

  it("a save leaves one archive per key: an earlier version's formats are removed", async () => {
    const runner = newRunner('vg-one-entry-')
    const cacheDir = path.join(runner.dir, 'cache')
    write(runner, 'requirements.txt', 'zeta\n')
    const run = await main(runner, { 'cache-dir': cacheDir })
    succeeded(run)
    const key = path.join(cacheDir, run.outputs['cache-key'])
    fs.mkdirSync(cacheDir, { recursive: true })
    for (const stale of ['.tar.gz', '.tar.zst'])
      fs.writeFileSync(`${key}${stale}`, "an earlier version's save, in another format")
    succeeded(await post(runner))
    expect(archives(cacheDir).venv).toEqual([`${key}.tar`])
  })

  it('a cache-dependency-path file over 2 GiB is hashed as a stream', async () => {
    const runner = newRunner('vg-huge-')
    write(runner, 'requirements.txt', 'zeta\n')
    const huge = path.join(runner.workspace, 'huge.bin')
    fs.writeFileSync(huge, '')
    fs.truncateSync(huge, 2 ** 31 + 4096) // sparse: no disk space used
    try {
      const run = await main(runner, {
        'cache-dir': path.join(runner.dir, 'cache'),
        'cache-dependency-path': 'huge.bin'
      })
      succeeded(run)
      expect(run.outputs['cache-key']).toMatch(/^venv-guard-v\d+-venv-/)
    } finally {
      fs.rmSync(huge, { force: true })
    }
  })
})
