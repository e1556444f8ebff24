import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { envConstraintFiles } from '../../src/pip/constraints.js'
import { parseRequirementFiles } from '../../src/pip/requirements.js'
import { LINUX } from '../helpers/requirements.js'

describe('PIP_CONSTRAINT', () => {
  it('names files as pip reads it: split on whitespace, relative to where pip runs', () => {
    const cwd = path.resolve('/w')
    expect(
      envConstraintFiles({ PIP_CONSTRAINT: ' c.txt\n../shared/pins.txt  https://h/c.txt ' }, cwd)
    ).toEqual([path.join(cwd, 'c.txt'), path.resolve(cwd, '../shared/pins.txt')])
    expect(envConstraintFiles({}, cwd)).toEqual([])
  })
})

describe('constraint files given beside the requirements', () => {
  it('are read as pip reads -c files: their lines are constraints, and a -r in them names requirements', () => {
    const files: Record<string, string> = {
      [path.resolve('/w/requirements.txt')]: 'alpha\n',
      [path.resolve('/w/c.txt')]: '# pins\nalpha==1.0\n-r more.txt\n',
      [path.resolve('/w/more.txt')]: 'beta<2\n'
    }
    const parsed = parseRequirementFiles(
      [path.resolve('/w/requirements.txt')],
      file => Buffer.from(files[file]),
      LINUX,
      [path.resolve('/w/c.txt')]
    )
    expect(parsed.files).toEqual(Object.keys(files))
    expect(parsed.entries.filter(e => e.name).map(e => [e.name, e.line, e.constraint])).toEqual([
      ['alpha', 1, false],
      ['alpha', 2, true],
      ['beta', 1, false]
    ])
  })
})
