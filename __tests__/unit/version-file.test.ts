import { describe, expect, it } from 'vitest'
import { specFromVersionFile } from '../../src/python/version-file.js'

describe('version files', () => {
  it.each([
    ['.python-version', '3.12.1\n', '3.12.1'],
    ['.python-version', '# pinned\nsystem\n3.11\n3.10\n', '3.11'],
    ['.tool-versions', 'nodejs 20.1.0\npython 3.12.1 3.11.7\n', '3.12.1'],
    ['pyproject.toml', '[project]\nname = "x"\nrequires-python = ">=3.10"\n', '>=3.10'],
    ['pyproject.toml', '[tool.poetry.dependencies]\npython = "^3.10"\n', '>=3.10,<4'],
    ['Pipfile', '[requires]\npython_version = "3.11"\n', '3.11'],
    ['Pipfile', '[requires]\npython_full_version = "3.11.7"\npython_version = "3.11"\n', '3.11.7']
  ])('%s: %j -> %s', (file, content, spec) => {
    expect(specFromVersionFile(file, content)).toBe(spec)
  })

  it('finds nothing in a file that names no version', () => {
    expect(specFromVersionFile('pyproject.toml', '[project]\nname = "x"\n')).toBeUndefined()
    expect(specFromVersionFile('.tool-versions', 'nodejs 20\n')).toBeUndefined()
  })
})
