import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  ownProcessGroup,
  treeStop,
  localeEncoding,
  pathPythonNames,
  prefixPython,
  savesArchivesInParts,
  toolCacheArch,
  venvBinDir,
  venvPython,
  venvSitePackages,
  venvSitePackagesFound
} from '../../src/platform/os.js'

describe('paths per OS', () => {
  it.each([
    ['linux', '/w/.venv', '/w/.venv/bin', '/w/.venv/bin/python'],
    ['darwin', '/w/.venv', '/w/.venv/bin', '/w/.venv/bin/python'],
    ['win32', 'D:\\a\\r\\.venv', 'D:\\a\\r\\.venv\\Scripts', 'D:\\a\\r\\.venv\\Scripts\\python.exe']
  ] as const)('%s: venv bin and python', (os, venv, bin, python) => {
    expect(venvBinDir(venv, os)).toBe(bin)
    expect(venvPython(venv, os)).toBe(python)
  })

  it.each([
    [
      'linux',
      '/opt/hostedtoolcache/Python/3.12.1/x64',
      '/opt/hostedtoolcache/Python/3.12.1/x64/bin/python3'
    ],
    [
      'darwin',
      '/Users/runner/hostedtoolcache/Python/3.12.1/arm64',
      '/Users/runner/hostedtoolcache/Python/3.12.1/arm64/bin/python3'
    ],
    [
      'win32',
      'C:\\hostedtoolcache\\windows\\Python\\3.12.1\\x64',
      'C:\\hostedtoolcache\\windows\\Python\\3.12.1\\x64\\python.exe'
    ]
  ] as const)('%s: interpreter of a tool-cache prefix', (os, prefix, python) => {
    expect(prefixPython(prefix, os)).toBe(python)
  })

  it.each([
    ['linux', '/w/.venv', '/w/.venv/lib/python3.12/site-packages'],
    ['darwin', '/w/.venv', '/w/.venv/lib/python3.12/site-packages'],
    ['win32', 'D:\\w\\.venv', 'D:\\w\\.venv\\Lib\\site-packages']
  ] as const)('%s: site-packages', (os, venv, expected) => {
    expect(venvSitePackages(venv, { major: 3, minor: 12 }, 'cpython', false, os)).toBe(expected)
  })

  it('names free-threaded and PyPy site-packages', () => {
    expect(venvSitePackages('/v', { major: 3, minor: 13 }, 'cpython', true, 'linux')).toBe(
      '/v/lib/python3.13t/site-packages'
    )
    expect(venvSitePackages('/v', { major: 3, minor: 10 }, 'pypy', false, 'linux')).toBe(
      '/v/lib/pypy3.10/site-packages'
    )
  })

  it.skipIf(process.platform === 'win32')(
    'finds the site-packages a venv has, whatever its interpreter, not through lib64',
    () => {
      const venv = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-site-'))
      for (const lib of ['python3.12', 'pypy3.10'])
        fs.mkdirSync(path.join(venv, 'lib', lib), { recursive: true })
      fs.symlinkSync('lib', path.join(venv, 'lib64'))
      fs.writeFileSync(path.join(venv, 'lib', 'not-a-dir'), '')
      expect(venvSitePackagesFound(venv, 'linux')).toEqual([
        path.join(venv, 'lib', 'pypy3.10', 'site-packages'),
        path.join(venv, 'lib', 'python3.12', 'site-packages')
      ])
      expect(venvSitePackagesFound(path.join(venv, 'absent'), 'linux')).toEqual([])
      expect(venvSitePackagesFound('D:\\w\\.venv', 'win32')).toEqual([
        'D:\\w\\.venv\\Lib\\site-packages'
      ])
    }
  )

  it('looks for python3.X before python3 and python, and python.exe on Windows', () => {
    expect(pathPythonNames(['3.12'], 'linux')).toEqual(['python3.12', 'python3', 'python'])
    expect(pathPythonNames(['3.12'], 'win32')).toEqual(['python.exe', 'python3.exe'])
  })

  it('maps Node architectures to the tool cache names', () => {
    expect(toolCacheArch('x64')).toBe('x64')
    expect(toolCacheArch('ia32')).toBe('x86')
    expect(toolCacheArch('arm64')).toBe('arm64')
  })
})

describe('localeEncoding', () => {
  it.each([
    ['linux', 'utf-8'],
    ['darwin', 'utf-8'],
    ['win32', 'windows-1252']
  ] as const)('%s reads requirements files without a BOM as %s', (os, encoding) => {
    expect(localeEncoding(os)).toBe(encoding)
    expect(() => new TextDecoder(encoding)).not.toThrow()
  })
})

describe('more OS decisions', () => {
  it('saves cache-dir archives in parts except with Windows’ tar, which may misread the lists', () => {
    expect(savesArchivesInParts('linux')).toBe(true)
    expect(savesArchivesInParts('darwin')).toBe(true)
    expect(savesArchivesInParts('win32')).toBe(false)
  })

  it('splits PATH with ; on Windows and : elsewhere', async () => {
    const { searchPathDelimiter } = await import('../../src/platform/os.js')
    expect(searchPathDelimiter('win32')).toBe(';')
    expect(searchPathDelimiter('linux')).toBe(':')
    expect(searchPathDelimiter('darwin')).toBe(':')
  })

  it('compares paths case-insensitively only off Linux', async () => {
    const { samePath } = await import('../../src/platform/os.js')
    expect(samePath('/home/u/.pyenv/shims', '/home/u/.pyenv/shims/', 'linux')).toBe(true)
    expect(samePath('/home/U/.pyenv/shims', '/home/u/.pyenv/shims', 'linux')).toBe(false)
    expect(samePath('C:\\Users\\U\\.pyenv\\shims', 'c:\\users\\u\\.pyenv\\shims', 'win32')).toBe(
      true
    )
  })

  it('finds a base installation interpreter directory, system wheels and tar per OS', async () => {
    const { prefixBinDir, systemWheelDirs, tarCommand } = await import('../../src/platform/os.js')
    expect(prefixBinDir('/opt/py', 'linux')).toBe('/opt/py/bin')
    expect(prefixBinDir('C:\\py', 'win32')).toBe('C:\\py')
    expect(systemWheelDirs('linux')).toEqual(['/usr/share/python-wheels'])
    expect(systemWheelDirs('darwin')).toEqual([])
    expect(tarCommand('linux')).toBe('tar')
    expect(tarCommand('win32', { SystemRoot: 'D:\\Windows' })).toBe(
      'D:\\Windows\\System32\\tar.exe'
    )
  })
})

describe('stopping a child with what it started', () => {
  it('signals the process group on POSIX, and ends the tree with taskkill on Windows', () => {
    expect(ownProcessGroup('linux')).toBe(true)
    expect(ownProcessGroup('darwin')).toBe(true)
    expect(ownProcessGroup('win32')).toBe(false)
    expect(treeStop(42, 'SIGINT', 'linux')).toEqual({ kind: 'group', pid: -42, signal: 'SIGINT' })
    expect(treeStop(42, 'SIGINT', 'win32')).toEqual({
      kind: 'command',
      command: 'taskkill',
      args: ['/pid', '42', '/T', '/F']
    })
  })
})
