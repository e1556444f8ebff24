import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { localProjectFiles } from '../../src/pip/local-projects.js'
import { parseInMemory } from '../helpers/requirements.js'

const CWD = path.resolve('/w')
const DIRS = new Set(['/w', '/w/libs/core', '/w/src', '/abs/proj'].map(d => path.resolve(d)))
const FILES = new Set(
  [
    '/w/pyproject.toml',
    '/w/setup.cfg',
    '/w/libs/core/pyproject.toml',
    '/w/src/setup.py',
    '/abs/proj/pyproject.toml'
  ].map(f => path.resolve(f))
)

function files(requirements: string, packages: string[]): string[] {
  const parsed = parseInMemory({ [path.resolve('/w/requirements.txt')]: requirements })
  return localProjectFiles(
    parsed,
    packages,
    CWD,
    d => DIRS.has(d),
    f => FILES.has(f)
  ).map(f => path.relative(path.resolve('/'), f).split(path.sep).join('/'))
}

describe('the files that decide a local project', () => {
  it('are found for paths, editables, extras, name @ file URLs, in files and packages', () => {
    expect(
      files('alpha==1\n-e ./libs/core[dev]\ndemo @ file:///abs/proj ; python_version > "3"\n', [
        '.[test]',
        '-e',
        './src'
      ])
    ).toEqual([
      'w/libs/core/pyproject.toml',
      'abs/proj/pyproject.toml',
      'w/pyproject.toml',
      'w/setup.cfg',
      'w/src/setup.py'
    ])
  })

  it('are none for names, URLs, archives and paths that are no directories', () => {
    expect(
      files('alpha\nbeta @ https://h/beta.whl\n./dist/x-1.0-py3-none-any.whl\n./missing\n', [
        'gamma>=1'
      ])
    ).toEqual([])
  })

  it('count a directory named twice once', () => {
    expect(files('.\n-e .\n', ['.'])).toEqual(['w/pyproject.toml', 'w/setup.cfg'])
  })
})

describe.skipIf(process.platform === 'win32')('the deciding files read for the fingerprint', () => {
  it('are regular files only: a setup.py linked to /dev/zero is never read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-local-'))
    try {
      fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "x"\n')
      fs.symlinkSync('/dev/zero', path.join(dir, 'setup.py'))
      fs.mkdirSync(path.join(dir, 'setup.cfg'))
      expect(localProjectFiles({ entries: [] }, ['.'], dir)).toEqual([
        path.join(dir, 'pyproject.toml')
      ])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
