import { describe, expect, it } from 'vitest'
import {
  archiveSetup,
  installationPaths,
  libraryPathEnv,
  pkgConfigDir,
  prependSearchPath,
  pypyAliases,
  pypyPlatform,
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
    ['linux', 'x64', ['linux'], 'x64', 'tar'],
    ['linux', 'arm64', ['linux'], 'aarch64', 'tar'],
    ['linux', 'ia32', ['linux'], 'i686', 'tar'],
    ['darwin', 'arm64', ['darwin'], 'arm64', 'tar'],
    ['darwin', 'x64', ['darwin'], 'x64', 'tar'],
    ['win32', 'x64', ['win64', 'win32'], 'x64', 'zip'],
    ['win32', 'ia32', ['win64', 'win32'], 'x86', 'zip']
  ] as const)('PyPy archives on %s %s: %j %s, %s', (os, node, platforms, arch, archive) => {
    expect(pypyPlatform(os, node)).toEqual({ platforms, arch, archive })
  })

  it('PyPy gets the names setup-python links to it', () => {
    expect(pypyAliases('3.10', 'linux')).toEqual({
      target: 'pypy3',
      links: ['python3', 'python', 'pypy3.10']
    })
    expect(pypyAliases('3.9', 'win32')).toEqual({
      target: 'pypy3.exe',
      links: ['python3.exe', 'python.exe', 'pypy3.9.exe']
    })
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
