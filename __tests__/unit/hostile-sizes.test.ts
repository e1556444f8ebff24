// Files generated the way a hostile or unlucky repository would write them: the work stays bounded
// and ends with an annotated problem, never a RangeError or an out-of-memory crash.
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { findingsFromPipFailure } from '../../src/annotations/findings.js'
import { readDependencyGroups } from '../../src/pip/dependency-groups.js'
import { readPylock } from '../../src/pip/pylock.js'
import { NO_REQUIREMENTS, parseRequirementFiles } from '../../src/pip/requirements.js'
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

  it('a lock of 3,000 packages and pip collecting each of them', () => {
    const file = path.resolve('/repo/pylock.toml')
    const packages = Array.from(
      { length: 3_000 },
      (_, i) =>
        `[[packages]]\nname = "p${i}"\nversion = "1.0"\n\n[[packages.wheels]]\nurl = "https://h/p${i}-1.0-py3-none-any.whl"\n`
    )
    const lock = readPylock(file, Buffer.from(`lock-version = "1.0"\n\n${packages.join('\n')}`))
    if (!('doc' in lock)) throw new Error(lock.message)
    // As pip 26 says it: each package collected from the lock, then the last one's URL fails.
    const output = [
      ...Array.from({ length: 3_000 }, (_, i) => `Collecting p${i}==1.0 (from ${file})`),
      '× Failed to connect to h while fetching https://h/p2999-1.0-py3-none-any.whl',
      '╰─> [Errno 111] Connection refused'
    ].join('\n')
    const context = {
      parsed: { ...NO_REQUIREMENTS, entries: lock.entries },
      workspace: '/repo',
      locks: [lock]
    }
    const [found] = findingsFromPipFailure(output, context, 'Install', 1)
    expect([found.kind, found.file, found.line]).toEqual(['fetch', file, 7 * 2_999 + 8])
  })
})
