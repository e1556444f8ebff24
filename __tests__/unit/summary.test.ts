import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { newReport, type RunReport } from '../../src/report/run-report.js'
import { renderSummary, SUMMARY_BYTES, writeSummary } from '../../src/action/summary.js'
import type { Told } from '../../src/report/log.js'

/** What a step told, as the summary gets it. */
let told: Told[] = []
const quoted = (severity: Told['severity'], message: string): Told => ({
  severity,
  message,
  shown: true
})

function fullReport(): RunReport {
  return {
    ...newReport(),
    python: {
      executable: '/opt/hostedtoolcache/Python/3.12.1/x64/bin/python3',
      version: '3.12.1',
      implementation: 'cpython',
      foundBy: 'the tool cache'
    },
    venv: { path: '/w/.venv', action: 'new', reason: 'no venv at .venv yet' },
    guard: { verdict: 'passed', reason: 'nothing was installed into the user site' },
    versionsBefore: { pip: '23.2.1' },
    versionsAfter: { pip: '24.2', setuptools: '75.1.0', wheel: '0.44.0' },
    phases: [
      { name: 'find Python', seconds: 0.04 },
      { name: 'install', seconds: 3.456 }
    ],
    installed: [
      { name: 'pip', version: '24.2', requestedBy: 'upgrade' },
      { name: 'alpha', version: '1.0.0', requestedBy: 'requirements.txt:1' },
      { name: 'beta', version: '2.0.0', requestedBy: 'via alpha' },
      { name: 'delta', version: '1.1.0' }
    ]
  }
}

describe('renderSummary', () => {
  beforeEach(() => {
    told = []
  })

  it("keeps 10,000 problems under GitHub's 1 MiB: the first 50, then how many more", () => {
    const report = newReport()
    for (let line = 1; line <= 10_000; line++) {
      told.push({
        severity: 'error',
        title: 'venv-guard: invalid requirement',
        message: `"not a requirement ${line} !" is not a valid requirement ${'x'.repeat(200)}`,
        file: 'requirements.txt',
        line,
        shown: line <= 10
      })
    }
    const text = renderSummary(report, told)
    expect(Buffer.byteLength(text)).toBeLessThan(SUMMARY_BYTES)
    expect(text).toContain('| ❌ | `requirements.txt:50` |')
    expect(text).not.toContain('`requirements.txt:51`')
    expect(text).toContain('… and 9950 more.')
  })

  it('cuts anything else that would pass the limit, and says so', () => {
    const report = newReport()
    for (let i = 0; i < 20_000; i++) {
      report.installed.push({ name: `p${i}`, version: '1.0', requestedBy: 'r'.repeat(100) })
    }
    const text = renderSummary(report, told)
    expect(Buffer.byteLength(text)).toBeLessThan(SUMMARY_BYTES)
    expect(text).toMatch(/… and \d+ more lines: GitHub takes at most 1 MiB of summary per step\.$/)
  })

  it('tells the story of a good run: interpreter, venv, guard, versions, time, packages', () => {
    const text = renderSummary(fullReport(), told)
    expect(text).toContain(
      '**Python** 3.12.1 (cpython) at `/opt/hostedtoolcache/Python/3.12.1/x64/bin/python3`, found by the tool cache'
    )
    expect(text).toContain('**venv** `/w/.venv`: new (no venv at .venv yet)')
    expect(text).toContain('**Guard** passed: nothing was installed into the user site')
    expect(text).toContain('| pip | 23.2.1 | 24.2 |')
    expect(text).toContain('| setuptools | — | 75.1.0 |')
    expect(text).toContain('**Time** find Python 0.0 s · install 3.5 s')
    expect(text).toContain('**Installed** (4)')
    expect(text).toContain('| pip | 24.2 | upgrade |')
    expect(text).toContain('| alpha | 1.0.0 | requirements.txt:1 |')
    expect(text).toContain('| beta | 2.0.0 | via alpha |')
    expect(text).toContain('| delta | 1.1.0 | dependency |')
    expect(text).not.toContain('[!CAUTION]')
    expect(text).not.toContain('<details>')
  })

  it("puts errors and problems first, and lists what GitHub's cap left unannotated", () => {
    const report = fullReport()
    told.push(quoted('error', 'alpha 2.0.0 depends on beta>=2, which conflicts with\nbeta==1.0.0'))
    told.push(
      {
        severity: 'error',
        title: 't',
        message: 'first | with a pipe',
        file: 'requirements.txt',
        line: 2,
        shown: true
      },
      {
        severity: 'warning',
        title: 't',
        message: 'gamma 0.3.0 requires delta',
        file: 'requirements.txt',
        line: 3,
        shown: true
      },
      {
        severity: 'error',
        title: 't',
        message: 'eleventh',
        file: 'dev.txt',
        line: 11,
        shown: false
      },
      { severity: 'error', title: 't', message: 'no line\nsecond line', shown: true }
    )
    const text = renderSummary(report, told)
    const order = ['[!CAUTION]', '**Problems** (3)', '**Python**', '**Installed**'].map(s =>
      text.indexOf(s)
    )
    expect(order).toEqual([...order].sort((a, b) => a - b))
    expect(text).toContain('> alpha 2.0.0 depends on beta>=2, which conflicts with\n> beta==1.0.0')
    expect(text).toContain('| ❌ | `requirements.txt:2` | first \\| with a pipe |')
    expect(text).toContain('| ⚠️ | `requirements.txt:3` | gamma 0.3.0 requires delta |')
    expect(text).toContain('| ❌ | `dev.txt:11` | eleventh * |')
    // What is about no file is quoted, not put in the table.
    expect(text).toContain('> no line\n> second line')
    expect(text).toContain('1 not annotated: GitHub shows 10 annotations of a type per step')
  })

  it('names the dependency groups, lock files and constraint files that went in', () => {
    const report = fullReport()
    report.sources = {
      groups: ['test', 'sub/pyproject.toml:docs'],
      lockFiles: [],
      constraintFiles: ['c.txt']
    }
    expect(renderSummary(report, told)).toContain(
      '**From** dependency groups `test`, `sub/pyproject.toml:docs` · constraint files `c.txt`'
    )
    report.sources = { groups: [], lockFiles: [], constraintFiles: [] }
    expect(renderSummary(report, told)).not.toContain('**From**')
  })

  it('folds a long package table', () => {
    const report = fullReport()
    report.installed = Array.from({ length: 40 }, (_, i) => ({ name: `pkg${i}`, version: '1.0' }))
    const text = renderSummary(report, told)
    expect(text).toContain('<details><summary><b>Installed</b> (40)</summary>')
    expect(text).toContain('| pkg39 | 1.0 | dependency |')
    expect(text).toMatch(/<\/details>\n$/)
  })

  it('renders a run that failed before anything was found', () => {
    const report = newReport()
    told.push(quoted('error', 'Input \'python-version\' has the value "banana"'))
    expect(renderSummary(report, told)).toBe(
      '## venv-guard\n\n> [!CAUTION]\n> Input \'python-version\' has the value "banana"\n'
    )
  })
})

describe('renderSummary: text from a file or an input stays where it is put', () => {
  beforeEach(() => {
    told = []
  })

  /** The summary's lines as Markdown reads them: a lone CR ends a line too. */
  const markdownLines = (text: string) => text.split(/\r\n|\r|\n/)
  /** The cells of a table row: `|` not escaped by a backslash. */
  const cells = (row: string) => row.split(/(?<!\\)\|/).length - 2

  it('a line break inside a quoted TOML string starts no Markdown line of its own', () => {
    const report = newReport()
    const hostile =
      'pyproject.toml: "alpha\r# ALL GOOD\rbeta\u2028x\n## ALSO GOOD" is not a valid requirement'
    told.push(quoted('error', hostile))
    told.push(quoted('warning', hostile))
    told.push(quoted('notice', hostile))
    told.push({ severity: 'error', title: 't', message: hostile, shown: true })
    const lines = markdownLines(renderSummary(report, told))
    expect(lines.filter(l => /^\s*#/.test(l))).toEqual(['## venv-guard'])
    expect(
      lines.filter(l => l.includes('GOOD')).every(l => l.startsWith('> ') || l.startsWith('| '))
    ).toBe(true)
  })

  it('a | or a line break in a file name neither splits a table cell nor ends the row', () => {
    const report = fullReport()
    const file = 'odd|na\rme`.txt'
    told.push({
      severity: 'error',
      title: 't',
      message: 'bad',
      file,
      line: 3,
      shown: true
    })
    report.installed.push({ name: 'zeta', version: '1.0', requestedBy: `${file}:3` })
    report.sources = { groups: [], lockFiles: ['pylock\r# ALL GOOD.toml'], constraintFiles: [file] }
    const lines = markdownLines(renderSummary(report, told))
    const rows = lines.filter(l => l.includes('odd'))
    expect(rows.filter(l => l.startsWith('|')).map(cells)).toEqual([3, 3])
    expect(lines.filter(l => /^\s*#/.test(l))).toEqual(['## venv-guard'])
    expect(lines.filter(l => l.includes('ALL GOOD') || l.includes('odd'))).toHaveLength(3)
  })

  it('HTML in a message is shown as text', () => {
    const report = newReport()
    told.push(
      quoted('error', '"</details><img src=https://evil.example/x.png>" is not a valid requirement')
    )
    expect(renderSummary(report, told)).not.toMatch(/(?<!\\)<(img|\/details)/)
  })
})

describe('writeSummary', () => {
  afterEach(() => vi.unstubAllEnvs())

  it('does nothing, and does not fail, without GITHUB_STEP_SUMMARY (a local run)', async () => {
    vi.stubEnv('GITHUB_STEP_SUMMARY', '')
    await expect(writeSummary(fullReport(), [])).resolves.toBeUndefined()
  })

  it('appends to the file GITHUB_STEP_SUMMARY names', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vg-summary-')), 'summary.md')
    fs.writeFileSync(file, 'an earlier step\n')
    vi.stubEnv('GITHUB_STEP_SUMMARY', file)
    await writeSummary(fullReport(), [])
    const written = fs.readFileSync(file, 'utf8')
    expect(written).toMatch(/^an earlier step\n## venv-guard\n/)
    expect(written).toContain('| alpha | 1.0.0 | requirements.txt:1 |')
  })
})
