import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { envConstraintFiles } from '../../src/pip/constraints.js'

describe('PIP_CONSTRAINT', () => {
  it('names files as pip reads it: split on whitespace, relative to where pip runs', () => {
    const cwd = path.resolve('/w')
    expect(
      envConstraintFiles({ PIP_CONSTRAINT: ' c.txt\n../shared/pins.txt  https://h/c.txt ' }, cwd)
    ).toEqual([path.join(cwd, 'c.txt'), path.resolve(cwd, '../shared/pins.txt')])
    expect(envConstraintFiles({}, cwd)).toEqual([])
  })
})
