import { describe, expect, it } from 'vitest'
import { pipRangeOf, pipTooOld, rangeAllows, upgradedPipTooOld } from '../../src/pip/features.js'

describe('the pip an upgrade allows', () => {
  it.each([
    ['pip', ''],
    ['pip==24.2', '==24.2'],
    ['PIP>=25', '>=25'],
    ['pip<25.1', '<25.1'],
    ['pip ; python_version >= "3.9"', ''],
    ['./wheels/pip-24.2-py3-none-any.whl', '==24.2'],
    ['setuptools', undefined],
    ['pipx', undefined],
    ['pip-tools', undefined]
  ])('%s gives pip %j', (word, range) => {
    expect(pipRangeOf(word)).toBe(range)
  })

  it.each([
    ['', '25.1', true],
    ['==24.2', '25.1', false],
    ['==25.1', '25.1', true],
    ['===24.2', '25.1', false],
    ['>=23', '25.1', true],
    ['<25.1', '25.1', false],
    ['<25.2', '25.1', true],
    ['<=25.0.9', '25.1', false],
    ['~=24.0', '25.1', false],
    ['~=25.0', '25.1', true],
    ['~=24.2.0', '25.1', false],
    ['==25.*', '25.1', true],
    ['==24.*', '25.1', false],
    ['>=24,<26', '26.1', false],
    ['!=24.2', '25.1', true]
  ])('pip%s can give %s: %s', (range, minimum, allowed) => {
    expect(rangeAllows(range, minimum)).toBe(allowed)
  })
})

describe('the pip version gate', () => {
  it('passes an unpinned upgrade and a new enough pip', () => {
    expect(pipTooOld(['dependency-groups', 'pylock'], { upgrade: '' })).toBeUndefined()
    expect(pipTooOld(['pylock'], { own: '26.2.1', where: "the venv's pip" })).toBeUndefined()
    expect(pipTooOld([], { own: '9.0', where: "the venv's pip" })).toBeUndefined()
  })

  it('names the feature, the pip it needs and the fix for a pin', () => {
    expect(pipTooOld(['dependency-groups'], { upgrade: '==24.2' })).toBe(
      'dependency-groups (pip install --group) needs pip 25.1 or newer, and upgrade allows only pip==24.2: raise the pin to pip>=25.1 in upgrade, or remove it.'
    )
  })

  it('names the most demanding feature that fails', () => {
    expect(pipTooOld(['dependency-groups', 'pylock'], { upgrade: '==25.3' })).toMatch(
      /^a pylock.toml lock file \(pip install -r pylock.toml\) needs pip 26.1 or newer/
    )
    expect(pipTooOld(['pylock', 'dependency-groups'], { upgrade: '==24.2' })).toMatch(
      /needs pip 26.1/
    )
  })

  it('says to add pip to upgrade when the target’s own pip is too old', () => {
    expect(pipTooOld(['dependency-groups'], { own: '23.2.1', where: "the venv's pip" })).toBe(
      "dependency-groups (pip install --group) needs pip 25.1 or newer, and the venv's pip is 23.2.1 with no pip in upgrade: add pip to upgrade (the default 'pip setuptools wheel' brings the newest)."
    )
  })
})

describe('the pip the upgrade brought', () => {
  it('is enough when it is new enough', () => {
    expect(upgradedPipTooOld(['dependency-groups', 'pylock'], '26.2.1', '3.12.1')).toBeUndefined()
    expect(upgradedPipTooOld([], '9.0.1', '2.7.18')).toBeUndefined()
  })

  it('names the Python that the needed pip runs on, when the interpreter is older', () => {
    expect(upgradedPipTooOld(['pylock'], '25.2', '3.9.18')).toBe(
      'a pylock.toml lock file (pip install -r pylock.toml) needs pip 26.1 or newer, and the upgrade brought pip 25.2 to Python 3.9.18; pip 26.1 runs on Python 3.10 or newer: use python-version 3.10 or newer.'
    )
    expect(upgradedPipTooOld(['dependency-groups', 'pylock'], '24.2', '3.8.18')).toMatch(
      /^a pylock\.toml lock file .* needs pip 26\.1 or newer/
    )
  })

  it('blames the index when the interpreter could run the needed pip', () => {
    expect(upgradedPipTooOld(['dependency-groups'], '24.2', '3.12.1')).toBe(
      'dependency-groups (pip install --group) needs pip 25.1 or newer, and the upgrade brought pip 24.2 to Python 3.12.1; the index has no newer pip: make pip 25.1 or newer available to it.'
    )
  })
})
