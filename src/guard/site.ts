import * as fs from 'node:fs'
import * as path from 'node:path'
import type { InstalledPackage } from '../report/run-report.js'
import { installedVersions } from '../pip/plan.js'
import { normalizeName } from '../pip/names.js'

/** Whether a directory is inside another (or is it). */
export function isInside(dir: string, parent: string): boolean {
  const relative = path.relative(parent, dir)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/** The distributions (`*.dist-info`, `*.egg-info`) in a site-packages directory, by entry name. */
export function distributionEntries(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter(e => /\.(dist|egg)-info$/.test(e))
      .sort()
  } catch {
    return []
  }
}

/** `alpha-2.0.0.dist-info` -> `alpha 2.0.0`. */
export function distributionLabel(entry: string): string {
  const m = /^(.+?)-([^-]+?)(-py[^-]*)?\.(dist|egg)-info$/.exec(entry)
  return m ? `${m[1]} ${m[2]}` : entry
}

export function addedEntries(before: string[], after: string[]): string[] {
  const seen = new Set(before)
  return after.filter(e => !seen.has(e))
}

/** Installed distributions that are in none of the target's site-packages directories. */
export function misplaced(installed: InstalledPackage[], dirs: string[]): InstalledPackage[] {
  const names = installed.map(p => p.name)
  const found = dirs.map(d => installedVersions(d, names))
  const same = (a: string | undefined, b: string) =>
    a !== undefined && a.toLowerCase().replace(/-/g, '_') === b.toLowerCase().replace(/-/g, '_')
  return installed.filter(p => !found.some(v => same(v[normalizeName(p.name)], p.version)))
}
