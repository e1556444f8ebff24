import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { installedFromReport } from '../../src/pip/report.js'
import { CASES, FIXTURES } from '../../scripts/pip-failure-cases.mjs'
import { parseCase } from '../helpers/requirements.js'

const parsed = parseCase(CASES['install-report'].files)

const reports = fs
  .readdirSync(FIXTURES)
  .filter(f => /^install-report\.pip-.*\.json$/.test(f))
  .map(f => [f, fs.readFileSync(path.join(FIXTURES, f), 'utf8')])

describe('installedFromReport, on real `pip install --report` output', () => {
  it.each(reports)('%s: each package with what asked for it', (_file, json) => {
    const installed = installedFromReport(json, parsed, '/project', ['setuptools'])
    expect(Object.fromEntries(installed.map(p => [p.name, [p.version, p.requestedBy]]))).toEqual({
      alpha: ['1.0.0', 'requirements.txt:1'],
      'Mixed_Case.Name': ['0.9.0', 'requirements.txt:2'],
      setuptools: [expect.any(String), 'upgrade'],
      epsilon: ['5.0.0', 'requested'],
      beta: ['2.0.0', 'via alpha'],
      zeta: ['0.1.0', 'via epsilon']
    })
  })

  it('knows an upgrade given as a bundled wheel path or with a pin', () => {
    const json = reports[0][1]
    const wheel = '/usr/lib/python3.12/ensurepip/_bundled/setuptools-66.1.1-py3-none-any.whl'
    for (const upgrade of [[wheel], ['setuptools>=60']]) {
      const setuptools = installedFromReport(json, parsed, '/project', upgrade).find(
        p => p.name === 'setuptools'
      )
      expect(setuptools?.requestedBy).toBe('upgrade')
    }
  })
})
