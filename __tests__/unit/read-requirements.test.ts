import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { newReport } from '../../src/report/run-report.js'
import { maskUrlCredentials } from '../../src/report/secrets.js'
import { readRequirements } from '../../src/pip/read.js'
import { makeConfig } from '../helpers/config.js'

const dirs: string[] = []

function workspace(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-read-'))
  dirs.push(dir)
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text)
  return dir
}

function printed(work: () => void): string {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
  try {
    work()
    return out.mock.calls.map(c => String(c[0])).join('')
  } finally {
    out.mockRestore()
  }
}

describe('reading the requirements before pip runs', () => {
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
  })

  it("gives the main step dependency groups' and lock files' URLs to mask", () => {
    const ws = workspace({
      'pyproject.toml':
        '[dependency-groups]\ndev = ["mylib @ git+https://bot:groupTOKEN@git.example/org/mylib.git"]\n',
      'pylock.toml': [
        'lock-version = "1.0"',
        'created-by = "test"',
        '[[packages]]',
        'name = "alpha"',
        'version = "1.0"',
        '[[packages.wheels]]',
        'url = "https://me@corp.example:lockTOKEN@files.example/alpha-1.0-py3-none-any.whl"',
        ''
      ].join('\n')
    })
    const config = makeConfig({
      workspace: ws,
      requirementFiles: [path.join(ws, 'pylock.toml')],
      dependencyGroups: [{ pyproject: path.join(ws, 'pyproject.toml'), group: 'dev' }]
    })
    const out = printed(() => {
      for (const text of readRequirements(config, newReport()).secretTexts) maskUrlCredentials(text)
    })
    expect(out).toContain('::add-mask::groupTOKEN')
    expect(out).toContain('::add-mask::lockTOKEN')
  })

  it('tells which files are requirements, which constraints, and which groups', () => {
    const ws = workspace({
      'requirements.txt': 'alpha\n',
      'c.txt': 'alpha<2\n',
      'pyproject.toml': '[dependency-groups]\ntest = ["beta"]\n'
    })
    const config = makeConfig({
      workspace: ws,
      requirementFiles: [path.join(ws, 'requirements.txt')],
      constraintFiles: [path.join(ws, 'c.txt')],
      dependencyGroups: [{ pyproject: path.join(ws, 'pyproject.toml'), group: 'test' }]
    })
    const { inputs } = readRequirements(config, newReport())
    expect(inputs.roles).toEqual({
      requirements: [path.join(ws, 'requirements.txt')],
      constraints: [path.join(ws, 'c.txt')],
      groups: ['test']
    })
  })

  it("takes a lock's local sources as pip does: a directory is moving, an archive's bytes are in the key", () => {
    const ws = workspace({
      'pylock.toml': [
        'lock-version = "1.0"',
        'created-by = "test"',
        '[[packages]]',
        'name = "proj"',
        'directory = { path = "proj" }',
        '[[packages]]',
        'name = "lib"',
        'version = "1.0"',
        'archive = { path = "dist/lib-1.0.tar.gz", hashes = { sha256 = "00" } }',
        ''
      ].join('\n')
    })
    fs.mkdirSync(path.join(ws, 'proj'))
    fs.writeFileSync(path.join(ws, 'proj', 'pyproject.toml'), '[project]\nname = "proj"\n')
    fs.mkdirSync(path.join(ws, 'dist'))
    fs.writeFileSync(path.join(ws, 'dist', 'lib-1.0.tar.gz'), 'v1')
    const config = makeConfig({ workspace: ws, requirementFiles: [path.join(ws, 'pylock.toml')] })
    const read = () => readRequirements(config, newReport())
    const first = read()
    expect(first.moving).toEqual([path.join(ws, 'proj')])
    expect(Object.keys(first.inputs.files)).toEqual(
      expect.arrayContaining([
        path.join(ws, 'proj', 'pyproject.toml'),
        path.join(ws, 'dist', 'lib-1.0.tar.gz')
      ])
    )
    fs.writeFileSync(path.join(ws, 'dist', 'lib-1.0.tar.gz'), 'v2')
    expect(read().inputs.files).not.toEqual(first.inputs.files)
  })
})
