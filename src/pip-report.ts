import * as path from 'node:path'
import type { InstalledPackage } from './report.js'
import { entriesByName, normalizeName, type ParsedRequirements } from './requirements.js'

interface ReportItem {
  metadata?: { name?: string; version?: string }
}

/**
 * The distributions a `pip install --report` run installed, each with the requirement line that
 * named it (file:line relative to the workspace) when one did; dependencies have none.
 */
export function installedFromReport(
  reportJson: string,
  parsed: ParsedRequirements,
  workspace: string
): InstalledPackage[] {
  const report = JSON.parse(reportJson) as { install?: ReportItem[] }
  const byName = entriesByName(parsed)
  return (report.install ?? []).flatMap(item => {
    const name = item.metadata?.name
    if (!name) return []
    const entry = byName.get(normalizeName(name))?.[0]
    return [
      {
        name,
        version: item.metadata?.version ?? '',
        requestedBy: entry ? `${path.relative(workspace, entry.file)}:${entry.line}` : undefined
      }
    ]
  })
}
