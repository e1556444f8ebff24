// The CHANGELOG section of package.json's version: the release workflow's notes, and its check that
// the version being tagged is documented. `--release` also refuses a section not yet dated.
// usage: node scripts/release-notes.mjs [--release]
import * as fs from 'node:fs'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import { root } from './runner.mjs'

/**
 * The heading's date ('Unreleased' until the release commit) and body of `version`'s section.
 * @param {string} changelog @param {string} version
 * @returns {{ date: string, notes: string } | undefined}
 */
export function changelogSection(changelog, version) {
  const lines = changelog.split('\n')
  const start = lines.findIndex(l => l.startsWith(`## [${version}]`))
  if (start < 0) return undefined
  const next = lines.findIndex((l, i) => i > start && /^## /.test(l))
  const body = lines.slice(start + 1, next < 0 ? undefined : next)
  const notes = body
    .filter(l => !/^\[[^\]]+\]: /.test(l))
    .join('\n')
    .trim()
  return { date: lines[start].split(' - ')[1]?.trim() ?? '', notes }
}

/** @param {string} date */
export function isReleaseDate(date) {
  return /^\d{4}-\d{2}-\d{2}$/.test(date)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
  const section = changelogSection(
    fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8'),
    version
  )
  if (!section) {
    console.error(`CHANGELOG.md has no "## [${version}]" section for package.json's version.`)
    process.exit(1)
  }
  if (process.argv.includes('--release') && !isReleaseDate(section.date)) {
    console.error(
      `CHANGELOG.md's [${version}] is dated "${section.date}": date it YYYY-MM-DD in the release commit.`
    )
    process.exit(1)
  }
  console.log(section.notes)
}
