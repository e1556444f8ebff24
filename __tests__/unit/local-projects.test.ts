import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { localInputs } from '../../src/pip/local-projects.js'
import { parseRequirementFiles } from '../../src/pip/requirements.js'
import { parseInMemory } from '../helpers/requirements.js'

const CWD = path.resolve('/w')
const DIRS = new Set(['/w', '/w/libs/core', '/w/src', '/abs/proj'].map(d => path.resolve(d)))
const FILES = new Set(
  [
    '/w/pyproject.toml',
    '/w/setup.cfg',
    '/w/libs/core/pyproject.toml',
    '/w/src/setup.py',
    '/abs/proj/pyproject.toml',
    '/w/dist/x-1.0-py3-none-any.whl',
    '/w/dist/x-1.0.tar.bz2'
  ].map(f => path.resolve(f))
)
const kindOf = (f: string) => (DIRS.has(f) ? 'directory' : FILES.has(f) ? 'file' : undefined)

function files(requirements: string, packages: string[]): string[] {
  const parsed = parseInMemory({ [path.resolve('/w/requirements.txt')]: requirements })
  return localInputs(parsed.entries, packages, CWD, kindOf).files.map(f =>
    path.relative(path.resolve('/'), f).split(path.sep).join('/')
  )
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

  it('are none for names, remote URLs and paths that are nothing', () => {
    expect(files('alpha\nbeta @ https://h/beta.whl\n./missing\n', ['gamma>=1'])).toEqual([])
  })

  it('are the archive itself for a local archive, whatever its extension', () => {
    expect(files('./dist/x-1.0-py3-none-any.whl\n', ['./dist/x-1.0.tar.bz2'])).toEqual([
      'w/dist/x-1.0-py3-none-any.whl',
      'w/dist/x-1.0.tar.bz2'
    ])
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
      expect(localInputs([], ['.'], dir).files).toEqual([path.join(dir, 'pyproject.toml')])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('requirements that can change while every input reads the same', () => {
  const moving = (text: string, packages: string[]) =>
    localInputs(
      parseRequirementFiles([path.resolve('/w/requirements.txt')], () => Buffer.from(text)).entries,
      packages,
      CWD,
      kindOf
    ).moving

  it('are local directories installed as copies, paths that are nothing yet, unpinned VCS URLs', () => {
    expect(
      moving(
        'alpha==1\n.\n./libs/core\nbeta @ git+https://github.com/o/beta@main\ngamma @ git+https://github.com/o/gamma@0123456789abcdef0123456789abcdef01234567\n./dist/x-1.0-py3-none-any.whl\n-e ./src\n./missing\n',
        ['.[dev]', '-e', './src', 'zeta', './dist/x-1.0.tar.bz2']
      )
    ).toEqual([
      '.',
      './libs/core',
      'beta @ git+https://github.com/o/beta@main',
      './missing',
      '.[dev]'
    ])
  })

  it('are none among plain pinned requirements', () => {
    expect(moving('alpha==1\nbeta>=2\n', ['zeta'])).toEqual([])
  })
})
