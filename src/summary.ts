import * as core from '@actions/core'
import type { RunReport } from './report.js'

const FOLD_AFTER = 15

function versionsRow(report: RunReport, name: string): string[] {
  return [name, report.versionsBefore[name] ?? '—', report.versionsAfter[name] ?? '—']
}

/** Renders the run as Markdown: errors first, then the interpreter, the venv, versions, phases and packages. */
export function renderSummary(report: RunReport): string {
  const lines: string[] = ['## venv-guard', '']
  for (const error of report.errors)
    lines.push(`> [!CAUTION]`, `> ${error.replace(/\n/g, '\n> ')}`, '')
  for (const warning of report.warnings)
    lines.push(`> [!WARNING]`, `> ${warning.replace(/\n/g, '\n> ')}`, '')
  for (const notice of report.notices)
    lines.push(`> [!NOTE]`, `> ${notice.replace(/\n/g, '\n> ')}`, '')
  if (report.python) {
    const p = report.python
    lines.push(
      `**Python** ${p.version} (${p.implementation}) at \`${p.executable}\`, found by ${p.foundBy}`,
      ''
    )
  }
  if (report.venv)
    lines.push(
      `**venv** \`${report.venv.path}\`: ${report.venv.action} (${report.venv.reason})`,
      ''
    )
  if (Object.keys(report.versionsAfter).length + Object.keys(report.versionsBefore).length > 0) {
    lines.push('| package | before | after |', '|---|---|---|')
    for (const name of ['pip', 'setuptools', 'wheel'])
      lines.push(`| ${versionsRow(report, name).join(' | ')} |`)
    lines.push('')
  }
  if (report.phases.length > 0) {
    lines.push(
      `**Time** ${report.phases.map(p => `${p.name} ${p.seconds.toFixed(2)} s`).join(' · ')}`,
      ''
    )
  }
  if (report.installed.length > 0) {
    const table = ['| package | version | requested by |', '|---|---|---|']
    for (const p of report.installed)
      table.push(`| ${p.name} | ${p.version} | ${p.requestedBy ?? 'dependency'} |`)
    if (report.installed.length > FOLD_AFTER) {
      lines.push(
        `<details><summary>${report.installed.length} packages installed</summary>`,
        '',
        ...table,
        '',
        '</details>',
        ''
      )
    } else {
      lines.push(`**Installed** (${report.installed.length})`, '', ...table, '')
    }
  }
  return lines.join('\n')
}

/** Appends the summary to GITHUB_STEP_SUMMARY; a local run without it just skips this. */
export async function writeSummary(report: RunReport): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await core.summary.addRaw(renderSummary(report), true).write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${(error as Error).message}`)
  }
}
