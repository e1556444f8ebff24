import * as fs from 'node:fs'
import * as path from 'node:path'
import { normalizeName } from './names.js'

/**
 * A dist-info directory's project and version, from its name (`Mixed_Case.Name-1.0.dist-info`,
 * the project normalized); undefined for anything else.
 */
export function distInfoName(entry: string): { name: string; version: string } | undefined {
  const m = /^(.+?)-([^-]+)\.dist-info$/.exec(entry)
  return m ? { name: normalizeName(m[1]), version: m[2] } : undefined
}

/** The dist-info directory of a project at a version in site-packages, if it is there. */
export function findDistInfo(
  sitePackages: string,
  dist: { name: string; version: string },
  listing?: string[]
): string | undefined {
  let entries: string[]
  try {
    entries = listing ?? fs.readdirSync(sitePackages)
  } catch {
    return undefined
  }
  return entries.find(entry => {
    const parsed = distInfoName(entry)
    return parsed?.name === normalizeName(dist.name) && parsed.version === dist.version
  })
}

/**
 * The paths a dist-info directory's RECORD lists (its first column, relative to site-packages;
 * a path with a comma stays quoted), or undefined where it has no readable RECORD.
 */
export function recordPaths(sitePackages: string, distInfo: string): string[] | undefined {
  try {
    return fs
      .readFileSync(path.join(sitePackages, distInfo, 'RECORD'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(line => line.split(',')[0])
  } catch {
    return undefined
  }
}
