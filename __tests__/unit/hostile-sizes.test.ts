// Files generated the way a hostile or unlucky repository would write them: the work stays bounded
// and ends with an annotated problem, never a RangeError or an out-of-memory crash.
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readDependencyGroups } from '../../src/pip/dependency-groups.js'
import { parseRequirementFiles } from '../../src/pip/requirements.js'
import { readToml } from '../../src/pip/toml-lines.js'

const reader = (files: Map<string, string>) => (file: string) => {
  const text = files.get(file)
  if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' })
  return Buffer.from(text)
}

describe('bounded work on hostile files', () => {
  it('a 100 KB pyproject.toml holding one dotted key of 50,000 parts', () => {
    const key = Array.from({ length: 50_000 }, () => 'a').join('.')
    const doc = readToml(`[project]\nname = "x"\n\n[tool]\n${key} = 1\n`)
    expect(doc.lineOf(['tool'])).toBe(4)
    expect(doc.lineOf(['tool', 'a', 'a', 'a'])).toBe(5)
    expect(doc.lineOf(['project', 'name'])).toBe(2)
  })

  it('an include-group chain of 20,000 groups', () => {
    const groups = Array.from(
      { length: 20_000 },
      (_, i) => `g${i} = [{include-group = "g${i + 1}"}]`
    ).join('\n')
    const file = path.resolve('/repo/pyproject.toml')
    const read = reader(new Map([[file, `[dependency-groups]\n${groups}\ng20000 = ["zeta"]\n`]]))
    const result = readDependencyGroups([{ pyproject: file, group: 'g0' }], read)
    expect(result.problems).toHaveLength(1)
    expect(result.problems[0].message).toMatch(/include-group.* deeper than \d+/)
    expect(result.problems[0].line).toBeGreaterThan(1)
  })

  it('a -r chain of 3,000 requirements files', () => {
    const files = new Map<string, string>()
    for (let i = 0; i < 3_000; i++) files.set(path.resolve(`/repo/r${i}.txt`), `-r r${i + 1}.txt\n`)
    files.set(path.resolve('/repo/r3000.txt'), 'zeta\n')
    const result = parseRequirementFiles(['/repo/r0.txt'], reader(files))
    expect(result.problems).toHaveLength(1)
    expect(result.problems[0].message).toMatch(/nested deeper than \d+/)
    expect(result.problems[0].file).toMatch(/r\d+\.txt$/)
  })
})
