import { describe, expect, it } from 'vitest'
import {
  archiveSetup,
  installationPaths,
  libraryPathEnv,
  pkgConfigDir,
  prependSearchPath,
  toolCacheArch,
  toolCachePythons
} from '../../src/platform/os.js'

describe('tool-cache installations', () => {
  it.each([
    ['linux', 'cpython', '/tc/Python/3.12.1/x64', ['/tc/Python/3.12.1/x64/bin/python3']],
    ['darwin', 'cpython', '/tc/Python/3.12.1/arm64', ['/tc/Python/3.12.1/arm64/bin/python3']],
    [
      'win32',
      'cpython',
      'C:\\tc\\Python\\3.12.1\\x64',
      ['C:\\tc\\Python\\3.12.1\\x64\\python.exe']
    ],
    [
      'linux',
      'pypy',
      '/tc/PyPy/3.10.14/x64',
      ['/tc/PyPy/3.10.14/x64/bin/pypy3', '/tc/PyPy/3.10.14/x64/bin/python']
    ],
    [
      'win32',
      'pypy',
      'C:\\tc\\PyPy\\3.10.14\\x64',
      ['C:\\tc\\PyPy\\3.10.14\\x64\\pypy3.exe', 'C:\\tc\\PyPy\\3.10.14\\x64\\python.exe']
    ]
  ] as const)('%s %s', (os, implementation, prefix, expected) => {
    expect(toolCachePythons(prefix, implementation, os)).toEqual(expected)
  })

  it.each([
    ['linux', '/tc/P', ['/tc/P', '/tc/P/bin'], '/tc/P/lib/pkgconfig'],
    ['darwin', '/tc/P', ['/tc/P', '/tc/P/bin'], '/tc/P/lib/pkgconfig'],
    ['win32', 'C:\\tc\\P', ['C:\\tc\\P', 'C:\\tc\\P\\Scripts'], 'C:\\tc\\P\\lib\\pkgconfig']
  ] as const)('%s: PATH entries and pkg-config directory', (os, prefix, paths, pkgConfig) => {
    expect(installationPaths(prefix, os)).toEqual(paths)
    expect(pkgConfigDir(prefix, os)).toBe(pkgConfig)
  })

  it('archives: tar.gz and setup.sh, zip and setup.ps1 on Windows', () => {
    expect(archiveSetup('linux')).toEqual({ archive: 'tar', command: 'bash', args: ['./setup.sh'] })
    expect(archiveSetup('darwin')).toEqual({
      archive: 'tar',
      command: 'bash',
      args: ['./setup.sh']
    })
    expect(archiveSetup('win32')).toMatchObject({ archive: 'zip', command: 'powershell' })
    expect(archiveSetup('win32').args).toContain('./setup.ps1')
  })

  it.each([
    ['x64', 'x64'],
    ['ia32', 'x86'],
    ['arm64', 'arm64']
  ])('node arch %s is %s', (node, arch) => {
    expect(toolCacheArch(node)).toBe(arch)
  })
})

describe('search paths', () => {
  it.each([
    [undefined, '/p/lib'],
    ['', '/p/lib'],
    ['/other', '/p/lib:/other'],
    ['/other:/p/lib', '/p/lib:/other'],
    ['/p/lib', '/p/lib']
  ])('LD_LIBRARY_PATH %j', (current, expected) => {
    expect(libraryPathEnv('/p', current, 'linux')).toEqual({ LD_LIBRARY_PATH: expected })
  })

  it('only Linux needs LD_LIBRARY_PATH', () => {
    expect(libraryPathEnv('/p', '/x', 'darwin')).toEqual({})
    expect(libraryPathEnv('C:\\p', undefined, 'win32')).toEqual({})
  })

  it('uses ; on Windows', () => {
    expect(prependSearchPath('C:\\a', 'C:\\b;C:\\a', 'win32')).toBe('C:\\a;C:\\b')
  })
})
