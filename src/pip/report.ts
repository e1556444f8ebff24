import * as path from 'node:path'
import type { InstalledPackage } from '../report/run-report.js'
import { entriesByName, type ParsedRequirements } from './requirements.js'
import type { HeldDist } from '../venv/marker.js'
import { normalizeName, projectOf } from './names.js'

interface ReportItem {
  requested?: boolean
  is_direct?: boolean
  metadata?: { name?: string; version?: string; requires_dist?: string[] }
  download_info?: { url?: string; archive_info?: { hashes?: { sha256?: string } } }
}

/**
 * The distributions a `--report` names, each by its wheel's hash; undefined when one has none (a
 * local directory, a VCS checkout), was named by its URL or path, or is built from an sdist: then
 * what it installs is not one file an index serves, or not the same files each time it is built.
 */
export function heldFromReport(json: string): HeldDist[] | undefined {
  const report = JSON.parse(json) as { install?: ReportItem[] }
  const dists: HeldDist[] = []
  for (const item of report.install ?? []) {
    const { name, version } = item.metadata ?? {}
    const sha256 = item.download_info?.archive_info?.hashes?.sha256
    const wheel = /\.whl$/i.test((item.download_info?.url ?? '').split(/[?#]/)[0])
    if (!name || !version || !sha256 || item.is_direct || !wheel) return undefined
    dists.push({ name, version, sha256, requested: item.requested === true })
  }
  return dists
}

/** A distribution as compared: by normalized name, version, hash and whether it was asked for. */
export function heldKey(d: HeldDist): string {
  return JSON.stringify([normalizeName(d.name), d.version, d.sha256, d.requested])
}

/** Both name exactly the same files, each asked for alike. */
export function sameDists(a: HeldDist[], b: HeldDist[]): boolean {
  const keys = (list: HeldDist[]) => JSON.stringify(list.map(heldKey).sort())
  return keys(a) === keys(b)
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
