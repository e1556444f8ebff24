import { describe, expect, it } from 'vitest'
import { movingRequirements, parseRequirementFiles } from '../../src/pip/requirements.js'

function parsed(text: string) {
  return parseRequirementFiles(['/w/requirements.txt'], () => Buffer.from(text))
}

describe('movingRequirements', () => {
  it('finds local projects and unpinned VCS URLs, in files and in packages', () => {
    const p = parsed(
      'alpha==1\n.\n./libs/core\nbeta @ git+https://github.com/o/beta@main\ngamma @ git+https://github.com/o/gamma@0123456789abcdef0123456789abcdef01234567\n./dist/x-1.0-py3-none-any.whl\n-e ./editable\n'
    )
    expect(movingRequirements(p, ['.[dev]', '-e', './src', 'zeta'])).toEqual([
      '.',
      './libs/core',
      'beta @ git+https://github.com/o/beta@main',
      '.[dev]'
    ])
  })

  it('finds nothing in plain pinned requirements', () => {
    expect(movingRequirements(parsed('alpha==1\nbeta>=2\n'), ['zeta'])).toEqual([])
  })
})
