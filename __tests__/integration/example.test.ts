import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scratchCheckout } from '../helpers/checkout.js'
import { findPython, lacks, pythonOf } from '../helpers/pythons.js'
import { spawnText } from '../helpers/spawn.js'

function example(
  dir: string,
  ...args: string[]
): Promise<{ status: number | null; output: string }> {
  return spawnText(process.execPath, [path.join(dir, 'scripts', 'example.mjs'), ...args], {
    cwd: dir
  })
}

describe.skipIf(lacks('3.12'))('npm run example', () => {
  let dir: string
  beforeAll(() => {
    // What `npm run example` uses.
    dir = scratchCheckout('vg-example-', [
      'action.yml',
      'package.json',
      'dist',
      'scripts',
      'example'
    ])
  })
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('warns about an unknown input as the runner does, prints name = value, and a second run restores the venv from cache-dir', async () => {
    const first = await example(dir, 'python_version=3.12')
    expect(first.status, first.output).toBe(0)
    expect(first.output).toContain(
      "##[warning]Unexpected input(s) 'python_version', valid inputs are ['python-version', "
    )
    expect(first.output).not.toContain('${{')
    expect(first.output).not.toContain('ghadelimiter')
    expect(first.output).toMatch(/^cache-hit = false$/m)
    expect(first.output).toMatch(/^VIRTUAL_ENV = .*\.venv$/m)
    expect(first.output).toContain('example app runs with alpha 2.0.0')
    expect(first.output).toMatch(
      /=== post step: node dist\/post\/index\.js\n[^]*Cache: saved the venv/
    )

    const second = await example(dir)
    expect(second.status, second.output).toBe(0)
    expect(second.output).toMatch(/^cache-hit = true$/m)
    expect(second.output).toContain('example app runs with alpha 2.0.0')
  })

  // scripts/example.mjs copies pyenv's interpreter for create-venv=false, and no other.
  it.skipIf(findPython('3.12')?.foundBy !== 'pyenv')(
    "runs create-venv=false against a scratch copy, and leaves the machine's interpreter as it was",
    async () => {
      const python = pythonOf('3.12').executable
      const pipBefore = execFileSync(python, ['-m', 'pip', '--version'], { encoding: 'utf8' })
      const run = await example(dir, 'create-venv=false', 'python-version=3.12')
      expect(run.status, run.output).toBe(0)
      expect(run.output).toContain("the action gets a scratch copy of pyenv's Python 3.12")
      expect(run.output).toMatch(
        /^python-path = .*example\/\.runner\/python-3\.12\.\d+\/bin\/python3$/m
      )
      expect(execFileSync(python, ['-m', 'pip', '--version'], { encoding: 'utf8' })).toBe(pipBefore)
      expect(spawnSync(python, ['-c', 'import alpha']).status).not.toBe(0)
    }
  )

  it('refuses create-venv=false with an interpreter of the machine, saying why', async () => {
    const run = await example(
      dir,
      'create-venv=false',
      `python-path=${pythonOf('3.12').executable}`
    )
    expect(run.status).toBe(2)
    expect(run.output).toContain('does not let it change an interpreter of this machine')
    expect(run.output).not.toMatch(/\n\s+at /)
  })
})
