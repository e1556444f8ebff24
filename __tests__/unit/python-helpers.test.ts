import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseProbe } from '../../src/python/probe.js'
import { helperResult } from '../../src/platform/python-helper.js'
import { writeDistInfo } from '../helpers/dist-info.js'
import { findPython, hasSystemPython, MINORS, SYSTEM_PYTHON } from '../helpers/pythons.js'

/**
 * The Python helpers the action ships (src/**\/*.py), run as the action runs them, by every
 * interpreter it supports that this machine has: CPython 3.8 to 3.13 and Debian's python3 (PEP 668).
 * A missing one is skipped, and global-setup.ts says so.
 */
const SRC = path.resolve(__dirname, '../../src')
const INTERPRETER_PROBE = path.join(SRC, 'python/interpreter_probe.py')
const USER_SITE_PROBE = path.join(SRC, 'guard/user_site_probe.py')
const VENV_HEALTH = path.join(SRC, 'venv/venv_health.py')

const PYTHONS: Array<[string, string | undefined]> = [
  ...MINORS.map(minor => {
    const found = findPython(minor)
    const label = found ? `${found.version} (${found.foundBy})` : `${minor} (missing)`
    return [`Python ${label}`, found?.executable] as [string, string | undefined]
  }),
  ['Debian python3', hasSystemPython() ? SYSTEM_PYTHON : undefined]
]

// Hermetic: no user pip configuration, no PYTHON* variables.
const ENV = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(PIP_|PYTHON)/.test(k))
)
ENV.PIP_CONFIG_FILE = os.devNull

function runPython(python: string, args: string[], cwd = os.tmpdir()): string {
  return execFileSync(python, args, { cwd, env: ENV, encoding: 'utf8' })
}

function lastJson(stdout: string): Record<string, unknown> {
  return helperResult<Record<string, unknown>>(stdout)!
}

let scratch: string
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'venv-guard-py-helpers-'))
})
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

for (const [label, found] of PYTHONS)
  describe.skipIf(!found)(label, () => {
    const python = found ?? '' // only read when found: the describe is skipped otherwise
    const probe = () => parseProbe(runPython(python, ['-I', INTERPRETER_PROBE]))

    it('interpreter_probe.py says what the interpreter is, and finds its pip without importing it', () => {
      const facts = probe()
      const says = runPython(python, [
        '-I',
        '-c',
        'import sys, sysconfig; print(sys.version_info[:3]); print(sysconfig.get_path("purelib"))'
      ]).split('\n')
      expect(`(${facts.version.major}, ${facts.version.minor}, ${facts.version.micro})`).toBe(
        says[0]
      )
      expect(facts.purelib).toBe(says[1])
      expect(facts.implementation).toBe('cpython')
      expect(facts.freeThreaded).toBe(false)
      expect(facts.prefix).toBe(facts.basePrefix)
      // PEP 508's marker environment, as the locator evaluates requirement lines' markers.
      expect(facts.markers).toMatchObject({
        python_version: `${facts.version.major}.${facts.version.minor}`,
        python_full_version: `${facts.version.major}.${facts.version.minor}.${facts.version.micro}`,
        implementation_name: 'cpython',
        platform_python_implementation: 'CPython',
        sys_platform: process.platform
      })
      expect(facts.pip?.version).toMatch(/^\d+\.\d+/)
      expect(fs.existsSync(path.join(facts.pip!.location, '__init__.py'))).toBe(true)
    })

    it('user_site_probe.py reports what decides where pip installs', () => {
      const facts = lastJson(runPython(python, [USER_SITE_PROBE]))
      expect(Object.keys(facts).sort()).toEqual(
        [
          'enableUserSite',
          'executable',
          'externallyManaged',
          'inVenv',
          'pipOnPath',
          'settings',
          'sitePackages',
          'user',
          'userBase',
          'userSite'
        ].sort()
      )
      expect(facts.inVenv).toBe(false)
      expect(facts.user).toBe(os.userInfo().username)
      expect(facts.settings).toEqual([])
      const managed = facts.externallyManaged as { marker: string } | null
      if (python === SYSTEM_PYTHON) expect(managed?.marker).toMatch(/EXTERNALLY-MANAGED$/)
      else expect(managed).toBeNull()
    })

    it('user_site_probe.py reads pip settings from the variables pip reads', () => {
      const facts = lastJson(
        execFileSync(python, [USER_SITE_PROBE], {
          cwd: os.tmpdir(),
          env: { ...ENV, PIP_USER: '1', PIP_REQUIRE_VIRTUALENV: 'yes' },
          encoding: 'utf8'
        })
      )
      expect(facts.settings).toEqual([
        { key: 'user', value: '1', where: 'PIP_USER', section: ':env:' },
        {
          key: 'require-virtualenv',
          value: 'yes',
          where: 'PIP_REQUIRE_VIRTUALENV',
          section: ':env:'
        }
      ])
    })

    it("venv_health.py judges a venv's distributions as pip check does", () => {
      const base = probe()
      const venv = path.join(fs.mkdtempSync(path.join(scratch, 'venv-')), '.venv')
      runPython(python, ['-m', 'venv', '--without-pip', venv])
      const venvPython = path.join(venv, 'bin', 'python')
      const health = () =>
        lastJson(runPython(venvPython, ['-I', VENV_HEALTH])) as {
          prefix: string
          version: unknown[]
          problems: string[]
        }
      expect(health().problems).toEqual(['pip is not installed in it'])

      // pip, borrowed from the base interpreter, and three distributions: one needs a missing
      // project, one a newer version of another.
      const site = runPython(venvPython, [
        '-I',
        '-c',
        'import sysconfig; print(sysconfig.get_path("purelib"))'
      ]).trim()
      const pipDir = base.pip!.location
      const pipInfo = fs.readdirSync(path.dirname(pipDir)).find(e => /^pip-.*\.dist-info$/.test(e))!
      fs.symlinkSync(pipDir, path.join(site, 'pip'))
      fs.cpSync(path.join(path.dirname(pipDir), pipInfo), path.join(site, pipInfo), {
        recursive: true
      })
      const dist = (name: string, version: string, requires: string[] = []) =>
        writeDistInfo(site, name, version, requires)
      dist('alpha', '1.0', ['beta>=2', "windows-only; sys_platform == 'win32'"])
      dist('beta', '1.0')
      dist('gamma', '1.0', ['missing'])

      const judged = health()
      expect(fs.realpathSync(judged.prefix)).toBe(fs.realpathSync(venv))
      expect(judged.version.slice(0, 3)).toEqual([
        base.version.major,
        base.version.minor,
        base.version.micro
      ])
      expect(judged.problems.sort()).toEqual([
        'alpha 1.0 requires beta>=2, but beta 1.0 is installed',
        'gamma 1.0 requires missing, which is not installed'
      ])
    })
  })
