import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readVersionFile, specFromVersionFile } from '../../src/python/version-file.js'

describe('.python-version (pyenv)', () => {
  it.each([
    ['3.12.1\n', '3.12.1'],
    ['3.12\n', '3.12'],
    ['  3.11.7  \r\n', '3.11.7'],
    ['# the project\n\n3.13t\n', '3.13t'],
    ['pypy3.10-7.3.12\n', 'pypy3.10-7.3.12'],
    ['3.14-dev\n', '3.14-dev'],
    ['3.13.0rc2\n', '3.13.0rc2'],
    // Several versions: pyenv uses the first it has; system and virtualenv names are not versions.
    ['system\n3.11.7\n', '3.11.7'],
    ['3.12.1\n3.11.7\n', '3.12.1'],
    ['3.12.1 3.11.7\n', '3.12.1'],
    ['my-tools\n3.10\n', '3.10'],
    ['3.12.1/envs/my-tools\n', '3.12.1']
  ])('%j -> %s', (content, spec) => {
    expect(specFromVersionFile('/p/.python-version', content)).toBe(spec)
  })

  it.each(['', '# nothing\n', 'system\n', 'my-tools\n'])('%j names none', content => {
    expect(specFromVersionFile('/p/.python-version', content)).toBeUndefined()
  })

  it('any other file name is read the pyenv way', () => {
    expect(specFromVersionFile('/p/runtime.txt', '3.11\n')).toBe('3.11')
  })
})

describe('.tool-versions (asdf)', () => {
  it.each([
    ['python 3.12.1\n', '3.12.1'],
    ['nodejs 20.11.0\npython 3.11.7 3.12.1 # two\n', '3.11.7'],
    ['python system 3.10.13\n', '3.10.13'],
    ['python pypy3.10-7.3.12\n', 'pypy3.10-7.3.12']
  ])('%j -> %s', (content, spec) => {
    expect(specFromVersionFile('/p/.tool-versions', content)).toBe(spec)
  })

  it.each(['nodejs 20\n', 'python system\n', ''])('%j names none', content => {
    expect(specFromVersionFile('/p/.tool-versions', content)).toBeUndefined()
  })
})

describe('pyproject.toml', () => {
  it.each([
    ['[project]\nrequires-python = ">=3.10"\n', '>=3.10'],
    ['[project]\nname = "x"\nrequires-python = ">=3.10, <3.13"\n', '>=3.10, <3.13'],
    ["[project]\nrequires-python = '~=3.11'\n", '~=3.11'],
    ['[tool.poetry.dependencies]\npython = "^3.10"\n', '>=3.10,<4'],
    ['[tool.poetry.dependencies]\npython = "~3.11"\n', '>=3.11,<3.12'],
    ['[tool.poetry.dependencies]\npython = ">=3.9,<3.13"\n', '>=3.9,<3.13'],
    // requires-python wins over Poetry's entry.
    [
      '[project]\nrequires-python = ">=3.12"\n[tool.poetry.dependencies]\npython = "^3.10"\n',
      '>=3.12'
    ]
  ])('%j -> %s', (content, spec) => {
    expect(specFromVersionFile('/p/pyproject.toml', content)).toBe(spec)
  })

  it('without a Python requirement names none', () => {
    expect(specFromVersionFile('/p/pyproject.toml', '[project]\nname = "x"\n')).toBeUndefined()
  })

  it('that is not TOML throws', () => {
    expect(() => specFromVersionFile('/p/pyproject.toml', '[project\n')).toThrow()
  })
})

describe('Pipfile', () => {
  it.each([
    ['[requires]\npython_version = "3.12"\n', '3.12'],
    ['[requires]\npython_full_version = "3.12.1"\npython_version = "3.12"\n', '3.12.1'],
    ['[packages]\nrequests = "*"\n\n[requires]\npython_version = "3.9"\n', '3.9']
  ])('%j -> %s', (content, spec) => {
    expect(specFromVersionFile('/p/Pipfile', content)).toBe(spec)
  })

  it('without [requires] names none', () => {
    expect(specFromVersionFile('/p/Pipfile', '[packages]\nrequests = "*"\n')).toBeUndefined()
  })
})

it('readVersionFile reads the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-version-file-'))
  const file = path.join(dir, '.python-version')
  fs.writeFileSync(file, '3.11\n')
  expect(readVersionFile(file)).toBe('3.11')
  fs.rmSync(dir, { recursive: true })
})
