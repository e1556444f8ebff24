import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readConfig } from '../../src/action/inputs.js'

const dirs: string[] = []

function project(files: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-inputs-'))
  dirs.push(dir)
  for (const file of files) fs.writeFileSync(path.join(dir, file), '')
  return dir
}

async function requirementsOf(dir: string, requirements = ''): Promise<string[]> {
  const inputs: Record<string, string> = { 'working-directory': dir, requirements }
  const config = await readConfig(name => inputs[name] ?? '')
  return config.requirementFiles.map(file => path.relative(dir, file))
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

describe('requirements left empty', () => {
  it.each([
    [['requirements.txt'], ['requirements.txt']],
    [['pylock.toml'], ['pylock.toml']],
    [['requirements.txt', 'pylock.toml'], ['requirements.txt']],
    [['pylock.dev.toml', 'pyproject.toml'], []],
    [[], []]
  ])('with %j installs %j', async (files, expected) => {
    expect(await requirementsOf(project(files))).toEqual(expected)
  })

  it('are what the input names when it names any', async () => {
    const dir = project(['requirements.txt', 'pylock.toml', 'dev.txt'])
    expect(await requirementsOf(dir, 'dev.txt')).toEqual(['dev.txt'])
  })
})

describe('files of any size', () => {
  it('are fine for cache-dependency-path, which is only hashed; requirements stop at 32 MiB', async () => {
    const dir = project([])
    fs.writeFileSync(path.join(dir, 'big.bin'), '')
    fs.truncateSync(path.join(dir, 'big.bin'), 33 * 1024 * 1024)
    const read = (inputs: Record<string, string>) =>
      readConfig(name => ({ 'working-directory': dir, ...inputs })[name] ?? '')
    const config = await read({ 'cache-dependency-path': 'big.bin' })
    expect(config.cacheDependencyFiles).toEqual([path.join(dir, 'big.bin')])
    await expect(read({ requirements: 'big.bin' })).rejects.toThrow(/larger than 32 MiB/)
  })
})

describe.skipIf(process.platform === 'win32')('globs', () => {
  it('never match inside a venv, not even through a symbolic link into it', async () => {
    const dir = project(['requirements.txt'])
    fs.mkdirSync(path.join(dir, 'env', 'lib', 'pkg'), { recursive: true })
    fs.writeFileSync(path.join(dir, 'env', 'pyvenv.cfg'), 'home = /usr/bin\n')
    fs.writeFileSync(path.join(dir, 'env', 'lib', 'pkg', 'AUTHORS.txt'), 'Someone <a@b>\n')
    fs.symlinkSync(path.join(dir, 'env', 'lib', 'pkg'), path.join(dir, 'reqs'))
    expect(await requirementsOf(dir, '**/*.txt')).toEqual(['requirements.txt'])
  })
})
