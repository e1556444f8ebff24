import * as core from '@actions/core'
import type { RunReport } from '../report/run-report.js'
import { warn, type Told } from '../report/log.js'

/** Longer package tables are folded, so that the summary still reads in ten seconds. */
const FOLD_AFTER = 15

/** A message as the summary quotes it: long ones are cut (an invalid line can be megabytes). */
function clip(text: string): string {
  return text.length > 10 * CELL_CHARS ? `${text.slice(0, 10 * CELL_CHARS)}…` : text
}

/** Line endings as Markdown reads them: a lone CR ends a line too. */
const LINE_BREAK = /\r\n|\r|\n/

/** Plain text as Markdown shows it: no HTML (a file may hold `<img src=…>`). */
function plain(text: string): string {
  return text.replace(/</g, '\\<')
}

/** Text that must stay on its Markdown line (a file name, a reason): breaks are shown, not made. */
function oneLine(text: string): string {
  return plain(text.replace(/\r/g, '\\r').replace(/\n/g, '\\n'))
}

/** A code span that no backtick inside can close, on one line. */
function code(text: string): string {
  const flat = text.replace(/\r/g, '\\r').replace(/\n/g, '\\n')
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map(run => run.length))
  const fence = '`'.repeat(longest + 1)
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${flat}${pad}${fence}`
}

/** A message quoted: every line it holds, however it breaks, stays inside the quote. */
function quote(kind: 'CAUTION' | 'WARNING' | 'NOTE', text: string): string[] {
  return [
    `> [!${kind}]`,
    ...plain(text)
      .split(LINE_BREAK)
      .map(line => `> ${line}`),
    ''
  ]
}

/** GitHub takes at most 1 MiB of summary per step, and rejects a larger one whole. */
export const SUMMARY_BYTES = 1024 * 1024
/** Problems listed in the summary; more would not be read, and 10,000 would pass the limit. */
export const PROBLEM_ROWS = 50
/** The longest text of one table cell. */
const CELL_CHARS = 1000

/**
 * Text for a table cell: one line, no column breaks (GitHub reads `\\|` as `|` in code spans
 * too), not longer than a reader reads.
 */
function cell(text: string): string {
  const short = text.length > CELL_CHARS ? `${text.slice(0, CELL_CHARS)}…` : text
  return plain(short).replace(/\|/g, '\\|').split(LINE_BREAK).join('<br>')
}

const ICONS = { error: '❌', warning: '⚠️', notice: 'ℹ️' }

function annotationRows(annotations: Told[]): string[] {
  const rows = ['| | where | problem |', '|---|---|---|']
  for (const a of annotations.slice(0, PROBLEM_ROWS)) {
    const where = a.file === undefined ? '' : cell(code(`${a.file}${a.line ? `:${a.line}` : ''}`))
    const icon = ICONS[a.severity]
    rows.push(`| ${icon} | ${where} | ${cell(a.message)}${a.shown ? '' : ' *'} |`)
  }
  const more = annotations.length - PROBLEM_ROWS
  if (more > 0) rows.push('', `… and ${more} more.`)
  return rows
}

function annotationSection(annotations: Told[]): string[] {
  if (annotations.length === 0) return []
  const hidden = annotations.filter(a => !a.shown).length
  const note =
    hidden > 0
      ? [
          `\\* ${hidden} not annotated: GitHub shows 10 annotations of a type per step, so these are only here.`,
          ''
        ]
      : []
  return [`**Problems** (${annotations.length})`, '', ...annotationRows(annotations), '', ...note]
}

/** The groups, lock files and constraint files that went in: they are not requirement lines. */
function sourcesLine(sources: RunReport['sources']): string[] {
  if (!sources) return []
  const named: Array<[string, string[]]> = [
    ['dependency groups', sources.groups],
    ['lock files', sources.lockFiles],
    ['constraint files', sources.constraintFiles]
  ]
  const parts = named
    .filter(([, names]) => names.length > 0)
    .map(([label, names]) => `${label} ${names.map(code).join(', ')}`)
  return parts.length > 0 ? [`**From** ${parts.join(' · ')}`, ''] : []
}

function installedSection(report: RunReport): string[] {
  const count = report.installed.length
  if (count === 0) return []
  const table = ['| package | version | requested by |', '|---|---|---|']
  for (const p of report.installed) {
    table.push(`| ${cell(p.name)} | ${cell(p.version)} | ${cell(p.requestedBy ?? 'dependency')} |`)
  }
  if (count <= FOLD_AFTER) return [`**Installed** (${count})`, '', ...table, '']
  return [
    `<details><summary><b>Installed</b> (${count})</summary>`,
    '',
    ...table,
    '',
    '</details>',
    ''
  ]
}

/**
 * Renders the run as Markdown, errors first: what was told (the error that ended the step and
 * everything not about a file as quotes, what is about a line of a file as a table), then the
 * interpreter, the venv, the guard, pip/setuptools/wheel before and after, the time of each phase,
 * and what was installed with the requirement line that asked for it.
 */
export function renderSummary(report: RunReport, told: readonly Told[]): string {
  return withinLimit([...toldLines(told), ...renderLines(report)])
}

const QUOTES = { error: 'CAUTION', warning: 'WARNING', notice: 'NOTE' } as const

function toldLines(told: readonly Told[], heading = 'venv-guard'): string[] {
  const firstError = told.find(t => t.severity === 'error')
  const quoted = told.filter(t => t === firstError || t.file === undefined)
  const lines = [`## ${heading}`, '']
  for (const severity of ['error', 'warning', 'notice'] as const) {
    for (const t of quoted.filter(q => q.severity === severity))
      lines.push(...quote(QUOTES[severity], clip(t.message)))
  }
  lines.push(...annotationSection(told.filter(t => t.file !== undefined)))
  return lines
}

/** The lines that fit GitHub's limit, and a last one that says how many did not. */
function withinLimit(lines: string[]): string {
  let bytes = 0
  for (const [i, line] of lines.entries()) {
    bytes += Buffer.byteLength(line) + 1
    // Room for the closing line.
    if (bytes > SUMMARY_BYTES - 200) {
      return [
        ...lines.slice(0, i),
        '',
        `… and ${lines.length - i} more lines: GitHub takes at most 1 MiB of summary per step.`
      ].join('\n')
    }
  }
  return lines.join('\n')
}

function renderLines(report: RunReport): string[] {
  const lines: string[] = []
  if (report.python) {
    const p = report.python
    lines.push(
      `**Python** ${oneLine(p.version)} (${p.implementation}) at ${code(p.executable)}, found by ${p.foundBy}`,
      ''
    )
  }
  if (report.venv) {
    lines.push(
      `**venv** ${code(report.venv.path)}: ${report.venv.action} (${oneLine(report.venv.reason)})`,
      ''
    )
  }
  if (report.guard) {
    lines.push(`**Guard** ${report.guard.verdict}: ${oneLine(report.guard.reason)}`, '')
  }
  lines.push(...sourcesLine(report.sources))
  const tracked = ['pip', 'setuptools', 'wheel']
  if (tracked.some(name => report.versionsBefore[name] || report.versionsAfter[name])) {
    lines.push('| package | before | after |', '|---|---|---|')
    for (const name of tracked) {
      lines.push(
        `| ${name} | ${report.versionsBefore[name] ?? '—'} | ${report.versionsAfter[name] ?? '—'} |`
      )
    }
    lines.push('')
  }
  if (report.phases.length > 0) {
    const phases = report.phases.map(p => `${p.name} ${p.seconds.toFixed(1)} s`)
    lines.push(`**Time** ${phases.join(' · ')}`, '')
  }
  lines.push(...installedSection(report))
  return lines
}

/** Appends Markdown to GITHUB_STEP_SUMMARY; a local run without it just skips this. */
async function append(markdown: () => string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await core.summary.addRaw(markdown(), true).write()
  } catch (error) {
    warn(`Could not write the job summary: ${(error as Error).message}`)
  }
}

/** The main step's job summary. */
export async function writeSummary(report: RunReport, told: readonly Told[]): Promise<void> {
  await append(() => renderSummary(report, told))
}

/**
 * The post step's part of the job summary: what it told (a later step's user-site install, a
 * cache that was not saved), and nothing when it had nothing to say.
 */
export async function writePostSummary(told: readonly Told[]): Promise<void> {
  if (told.length > 0) await append(() => withinLimit(toldLines(told, 'venv-guard (post step)')))
}
