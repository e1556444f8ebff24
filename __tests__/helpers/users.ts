import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Runner } from './action.js'
import { installationOf, type Minor } from './pythons.js'

/** The non-root user the guard's tests run the action as: to root, nothing is unwritable. */
export const GUARD_USER = 'vgguard'

/** Creates the user once (idempotent) and returns its uid and gid. */
export function ensureUser(name = GUARD_USER): { uid: number; gid: number } {
  // useradd fails when the user exists (or another test file just made it): `id` is the check.
  if (spawnSync('id', ['-u', name]).status !== 0)
    spawnSync('useradd', ['--no-create-home', '--shell', '/bin/sh', name])
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim())
  return { uid: id('-u'), gid: id('-g') }
}

/**
 * Gives the runner's directories to the user, as a runner gives its own to the job: mkdtemp makes
 * them 0700 root, which the user could not even enter.
 */
export function handOver(runner: Runner, name = GUARD_USER): void {
  const { uid, gid } = ensureUser(name)
  for (const entry of fs.readdirSync(runner.dir, { recursive: true, encoding: 'utf8' }))
    fs.lchownSync(path.join(runner.dir, entry), uid, gid)
  fs.chownSync(runner.dir, uid, gid)
}

/**
 * A root-owned CPython (mode 755) the user can run but not write: a copy of the test one, made by
 * ensureRootOwnedPython. pyenv's build is --enable-shared with an absolute RUNPATH into /root
 * (0700), so it needs LD_LIBRARY_PATH pointing at its own lib/, given by `env`.
 */
export function rootOwnedPython(minor: Minor = '3.12'): {
  executable: string
  prefix: string
  env: Record<string, string>
} {
  const prefix = `/opt/vg-python-${minor}`
  return {
    executable: path.join(prefix, 'bin', 'python3'),
    prefix,
    env: { LD_LIBRARY_PATH: path.join(prefix, 'lib') }
  }
}

/** Makes the copy once, atomically (needs root). */
export function ensureRootOwnedPython(minor: Minor = '3.12'): void {
  const { prefix, executable } = rootOwnedPython(minor)
  if (fs.existsSync(executable)) return
  const source = installationOf(minor).prefix
  const scratch = `${prefix}.tmp-${process.pid}`
  fs.rmSync(scratch, { recursive: true, force: true })
  execFileSync('cp', ['-a', source, scratch])
  // The test suite is 40% of the copy and nothing here needs it.
  fs.rmSync(path.join(scratch, 'lib', `python${minor}`, 'test'), { recursive: true, force: true })
  execFileSync('chown', ['-R', 'root:root', scratch])
  fs.chmodSync(scratch, 0o755)
  try {
    fs.renameSync(scratch, prefix)
  } catch {
    fs.rmSync(scratch, { recursive: true, force: true }) // another worker won the race
  }
}

/** Runs a command as the user with exactly the given environment, never throwing. */
export function runAs(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  name = GUARD_USER
): { status: number; output: string } {
  try {
    const output = execFileSync(
      'runuser',
      [
        '-u',
        name,
        '--',
        'env',
        '-i',
        ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
        command,
        ...args
      ],
      { cwd, encoding: 'utf8', stdio: 'pipe' }
    )
    return { status: 0, output }
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string }
    return { status: e.status, output: `${e.stdout}${e.stderr}` }
  }
}
