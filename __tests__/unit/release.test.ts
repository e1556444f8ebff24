import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { changelogSection, isReleaseDate } from '../../scripts/release-notes.mjs'
import { ROOT } from '../helpers/paths.js'

const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8')

describe('releases', () => {
  it("package.json's version is a semantic version with a CHANGELOG section", () => {
    const { version } = JSON.parse(read('package.json')) as { version: string }
    expect(version).toMatch(/^\d+\.\d+\.\d+$/)
    const section = changelogSection(read('CHANGELOG.md'), version)
    expect(section, `CHANGELOG.md has no "## [${version}]" section`).toBeDefined()
    expect(section?.notes).toMatch(/\S/)
    expect(section?.date === 'Unreleased' || isReleaseDate(section?.date ?? '')).toBe(true)
  })

  it('reads one section, without the link definitions', () => {
    const changelog = [
      '# Changelog',
      '## [1.1.0] - 2026-12-01',
      '### Fixed',
      '- a thing',
      '## [1.0.0] - 2026-11-30',
      '- first',
      '[1.1.0]: https://example.invalid/v1.1.0'
    ].join('\n')
    expect(changelogSection(changelog, '1.1.0')).toEqual({
      date: '2026-12-01',
      notes: '### Fixed\n- a thing'
    })
    expect(changelogSection(changelog, '1.0.0')?.notes).toBe('- first')
    expect(changelogSection(changelog, '2.0.0')).toBeUndefined()
  })
})
