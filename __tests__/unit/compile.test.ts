import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { compileProcesses, dealOut, sourcesToCompile } from '../../src/install/compile.js'
import { copyIntoCommand, plainShebang } from '../../src/platform/os.js'

let root: string
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-compile-'))
})
afterEach(() => fs.rmSync(root, { recursive: true, force: true }))

function touch(rel: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
  fs.writeFileSync(path.join(root, rel), '')
}

describe('sourcesToCompile', () => {
  it('lists the .py files compileall would compile, but bytecode folders and skipped entries', () => {
    for (const rel of [
      'a/__init__.py',
      'a/sub/b.py',
      'a/__pycache__/stray.py',
      'a/data.txt',
      'top.py',
      'pip/__init__.py',
      '__pycache__/top.py'
    ])
      touch(rel)
    expect(sourcesToCompile(root, ['pip']).map(f => path.relative(root, f))).toEqual([
      path.join('a', '__init__.py'),
      path.join('a', 'sub', 'b.py'),
      'top.py'
    ])
  })

  it('is empty for a directory that is not there', () => {
    expect(sourcesToCompile(path.join(root, 'none'))).toEqual([])
  })
})

describe('dealOut and compileProcesses', () => {
  it('deals the files out in turn, and makes no empty list', () => {
    expect(dealOut(['1', '2', '3', '4', '5'], 2)).toEqual([
      ['1', '3', '5'],
      ['2', '4']
    ])
    expect(dealOut(['1'], 4)).toEqual([['1']])
  })

  it('starts a second process only for enough files, and never more than the cores', () => {
    expect(compileProcesses(10, 8)).toBe(1)
    expect(compileProcesses(399, 8)).toBe(1)
    expect(compileProcesses(400, 8)).toBe(2)
    expect(compileProcesses(100_000, 2)).toBe(2)
    expect(compileProcesses(100_000, 1)).toBe(1)
  })
})

describe('plainShebang and copyIntoCommand', () => {
  it('accepts an interpreter path a #! line can name as it is, on each OS', () => {
    expect(plainShebang('/w/.venv/bin/python', 'linux')).toBe(true)
    expect(plainShebang('/w/my venv/bin/python', 'linux')).toBe(false)
    expect(plainShebang(`/${'x'.repeat(123)}`, 'linux')).toBe(true)
    expect(plainShebang(`/${'x'.repeat(124)}`, 'linux')).toBe(false)
    expect(plainShebang(`/${'x'.repeat(300)}`, 'darwin')).toBe(true)
    expect(plainShebang('C:\\w\\.venv\\Scripts\\python.exe', 'win32')).toBe(false)
  })

  it('copies with modification times kept, in one process', () => {
    expect(copyIntoCommand(['/s/a', '/s/b'], '/d')).toEqual({
      command: 'cp',
      args: ['-pR', '/s/a', '/s/b', '/d']
    })
  })
})
