import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { expect } from 'vitest'
import { dirStore } from '../../src/cache/archive.js'
import {
  describeRun,
  errors,
  hermeticEnv,
  newRunner,
  type ActionRun,
  type Runner
} from './action.js'

export const warnings = (run: ActionRun): string[] =>
  run.annotations.filter(a => a.level === 'warning').map(a => a.message)

/** A workspace with requirements that need a dependency (alpha 2 requires beta>=2). */
export function project(): Runner {
  const runner = newRunner('vg-cache-')
  fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), 'alpha\n')
  return runner
}

/** What a re-run of the job sees: the same workspace without the venv, and no state of earlier steps. */
export function freshJob(runner: Runner): void {
  fs.rmSync(path.join(runner.workspace, '.venv'), { recursive: true, force: true })
  fs.writeFileSync(runner.state, '')
}

export function venvWorks(runner: Runner, run: ActionRun): void {
  const python = run.outputs['python-path']
  const out = execFileSync(
    python,
    ['-c', 'import alpha, beta; print(alpha.VERSION, beta.VERSION)'],
    {
      env: hermeticEnv(runner),
      encoding: 'utf8'
    }
  )
  expect(out).toBe('2.0.0 2.0.0\n')
  expect(
    execFileSync(path.join(runner.workspace, '.venv', 'bin', 'alpha-cli'), [], { encoding: 'utf8' })
  ).toBe('alpha 2.0.0\n')
}

export function succeeded(run: ActionRun): void {
  expect(run.exitCode, describeRun(run)).toBe(0)
  expect(errors(run), describeRun(run)).toEqual([])
}

export const installed = (run: ActionRun): boolean => run.stdout.includes('::group::')

/**
 * Writes `dir` (a `.venv`) as `archive`, as whoever can write to a cache-dir could: a `.tar` as
 * venv-guard's store writes it (in parts, its index at the end), else compressed by the name.
 */
export async function packArchive(archive: string, dir: string): Promise<void> {
  if (archive.endsWith('.tar')) {
    const key = path.basename(archive).slice(0, -'.tar'.length)
    expect(await dirStore(path.dirname(archive), false).save(dir, key)).toBe(true)
    return
  }
  execFileSync('tar', ['-c', '-a', '-f', archive, '-C', path.dirname(dir), path.basename(dir)])
}

/** The archives in a cache-dir: [venv archives, pip archives, anything else]. */
export function archives(dir: string): {
  venv: string[]
  pip: string[]
  seed: string[]
  other: string[]
} {
  const names = fs.existsSync(dir) ? fs.readdirSync(dir) : []
  return {
    venv: names
      .filter(n => /^venv-guard-v\d+-venv-.*\.tar(\.zst|\.gz)?$/.test(n))
      .map(n => path.join(dir, n)),
    pip: names
      .filter(n => /^venv-guard-v\d+-pip-.*\.tar(\.zst|\.gz)?$/.test(n))
      .map(n => path.join(dir, n)),
    seed: names
      .filter(n => /^venv-guard-v\d+-seed-.*\.tar(\.zst|\.gz)?$/.test(n))
      .map(n => path.join(dir, n)),
    other: names.filter(n => !/^venv-guard-v\d+-(venv|pip|seed)-.*\.tar(\.zst|\.gz)?$/.test(n))
  }
}
