import * as path from 'node:path'
import type { InstalledPackage } from '../report/run-report.js'
import { entriesByName, type ParsedRequirements } from './requirements.js'
import { normalizeName, projectOf } from './names.js'

interface ReportItem {
  requested?: boolean
  metadata?: { name?: string; version?: string; requires_dist?: string[] }
}

/**
 * The distributions a `pip install --report` run installed, each with what asked for it: the
 * requirement line (file:line relative to the workspace), `upgrade` for the packages upgraded
 * first, `requested` for others asked for by name nowhere in the files (the packages input, a URL
 * or `-e .` line), or `via <package>` for a dependency.
 */
export function installedFromReport(
  reportJson: string,
  parsed: ParsedRequirements,
  workspace: string,
  upgrade: string[] = []
): InstalledPackage[] {
  const report = JSON.parse(reportJson) as { install?: ReportItem[] }
  const items = (report.install ?? []).filter(item => item.metadata?.name)
  const byName = entriesByName(parsed)
  const upgraded = new Set(upgrade.map(projectOf))
  const parents = new Map<string, string>()
  for (const item of items) {
    for (const dependency of item.metadata?.requires_dist ?? []) {
      // Extras' dependencies would name a parent for packages it did not bring in.
      if (/\bextra\s*==/.test(dependency)) continue
      // The first package that requires it is enough to say why it is there.
      const name = projectOf(dependency)
      if (!parents.has(name)) parents.set(name, item.metadata?.name as string)
    }
  }
  return items.map(item => {
    const name = item.metadata?.name as string
    const key = normalizeName(name)
    const entry = byName.get(key)?.find(e => !e.constraint)
    const requestedBy = entry
      ? `${path.relative(workspace, entry.file)}:${entry.line}`
      : upgraded.has(key)
        ? 'upgrade'
        : item.requested
          ? 'requested'
          : parents.has(key)
            ? `via ${parents.get(key)}`
            : undefined
    return { name, version: item.metadata?.version ?? '', requestedBy }
  })
}
