// When the health check runs the venv's python, and when it need not: a real venv (no pip of its
// own; a pip dist-info stands in), whose distributions are judged only where they differ from those
// that passed before.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { markChecked, markComplete, markInstalling } from '../../src/venv/marker.js'
import { checkedDigest, venvHealth, type HealthExpectation } from '../../src/venv/health.js'
import { writeDistInfo } from '../helpers/dist-info.js'
import { findPython } from '../helpers/pythons.js'

const PYTHON = findPython('3.12')?.executable
/** The base interpreter's pip, which the venv borrows: the judging imports its packaging. */
const BASE_PIP = ((): string | undefined => {
  try {
    return execFileSync(
      PYTHON!,
      ['-I', '-c', 'import os, pip; print(os.path.dirname(pip.__file__))'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }
    ).trim()
  } catch {
    return undefined
  }
})()
if (!PYTHON || !BASE_PIP)
  console.warn('venv health with a python skipped: no Python 3.12 with pip on this machine')

describe.skipIf(!PYTHON || !BASE_PIP)("the health check's python run", () => {
  function venvWithBrokenDependency(): { venv: string; site: string; expected: HealthExpectation } {
    const venv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vg-health-py-')), '.venv')
    execFileSync(PYTHON!, ['-m', 'venv', '--without-pip', venv])
    const py = path.join(venv, 'bin', 'python')
    const [site, executable, versionText, basePrefix] = execFileSync(
      py,
      [
        '-I',
        '-c',
        'import sys, sysconfig; print(sysconfig.get_path("purelib")); print(sys._base_executable); print("%d.%d.%d" % sys.version_info[:3]); print(sys.base_prefix)'
      ],
      { encoding: 'utf8' }
    )
      .trim()
      .split('\n')
    const dist = (name: string, version: string, requires: string[] = []) =>
      writeDistInfo(site, name, version, requires)
    fs.symlinkSync(BASE_PIP!, path.join(site, 'pip'))
    dist('pip', '26.0')
    dist('alpha', '1.0', ['beta'])
    const owner = { created: true, python: executable, fingerprint: 'f' }
    markInstalling(venv, owner)
    markComplete(venv, owner)
    return {
      venv,
      site,
      expected: { python: { executable, versionText, basePrefix }, fingerprint: 'f' }
    }
  }
  const brokenBeta = 'pip check: alpha 1.0 requires beta, which is not installed'

  it('judges distributions it has no record of, and not those that passed before', async () => {
    const { venv, site, expected } = venvWithBrokenDependency()
    expect((await venvHealth(venv, expected)).problems).toEqual([brokenBeta])

    // As if this set had passed when the venv was saved: no python run, so nothing judged.
    markChecked(venv, checkedDigest(venv, expected.python))
    expect((await venvHealth(venv, expected)).problems).toEqual([])

    // Another set (a requirement changed): judged again.
    fs.writeFileSync(
      path.join(site, 'alpha-1.0.dist-info', 'METADATA'),
      'Name: alpha\nVersion: 1.0\nRequires-Dist: beta>=2\n\nBody\n'
    )
    expect((await venvHealth(venv, expected)).problems).toEqual([
      'pip check: alpha 1.0 requires beta, which is not installed'
    ])
  })

  it('trusts pip check that just exited 0 before a save, but only for the interpreter probed', async () => {
    const { venv, expected } = venvWithBrokenDependency()
    expect((await venvHealth(venv, { ...expected, pipCheckPassed: true })).problems).toEqual([])
    // Another interpreter than the venv's python links to: pyvenv.cfg's check says so first.
    const other = { ...expected.python, executable: process.execPath }
    expect(
      (await venvHealth(venv, { ...expected, python: other, pipCheckPassed: true })).problems
    ).not.toEqual([])
  })
})
