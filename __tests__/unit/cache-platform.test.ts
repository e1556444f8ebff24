import { describe, expect, it } from 'vitest'
import { pipCacheDirOf } from '../../src/cache/pip-cache-dir.js'
import { executableName, osVersion, pipCacheDir, rangeReader } from '../../src/platform/os.js'

describe('osVersion', () => {
  it('names the Linux distribution and its version', () => {
    const ubuntu = 'NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n'
    expect(osVersion('linux', ubuntu, '6.8.0-1017-azure')).toBe('ubuntu-24.04')
    expect(osVersion('linux', 'ID=debian\nVERSION_ID="12"\n', '6.1.0')).toBe('debian-12')
    expect(osVersion('linux', 'ID=arch\nBUILD_ID=rolling\n', '6.9')).toBe('arch-rolling')
  })
  it('falls back to the kernel release without os-release', () => {
    expect(osVersion('linux', undefined, '6.8.0-1017-azure')).toBe('6.8.0-1017-azure')
  })
  it('uses the Darwin major version on macOS and the build on Windows', () => {
    expect(osVersion('darwin', undefined, '23.6.0')).toBe('darwin23')
    expect(osVersion('win32', undefined, '10.0.20348')).toBe('windows-10.0.20348')
  })
  it('keeps only characters a cache key may hold', () => {
    expect(osVersion('linux', 'ID=my,os\nVERSION_ID="1 beta"\n', 'x')).toBe('my_os-1_beta')
  })
})

describe("pip's cache directory", () => {
  it('is where pip puts it on each OS', () => {
    expect(pipCacheDir({}, '/home/u', 'linux')).toBe('/home/u/.cache/pip')
    expect(pipCacheDir({ XDG_CACHE_HOME: '/xdg' }, '/home/u', 'linux')).toBe('/xdg/pip')
    expect(pipCacheDir({}, '/Users/u', 'darwin')).toBe('/Users/u/Library/Caches/pip')
    expect(
      pipCacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'C:\\Users\\u', 'win32')
    ).toBe('C:\\Users\\u\\AppData\\Local\\pip\\Cache')
  })
  it('follows PIP_CACHE_DIR and PIP_NO_CACHE_DIR (any value turns it off, as in pip)', () => {
    expect(pipCacheDir({ PIP_CACHE_DIR: '/c' }, '/home/u', 'linux')).toBe('/c')
    expect(pipCacheDir({ PIP_NO_CACHE_DIR: 'false' }, '/home/u', 'linux')).toBeUndefined()
  })
  it('follows the last --cache-dir or --no-cache-dir in pip-args', () => {
    expect(pipCacheDirOf(['--cache-dir', 'c'], '/w', {}, '/h')).toBe('/w/c')
    expect(pipCacheDirOf(['--cache-dir=/abs'], '/w', {}, '/h')).toBe('/abs')
    expect(pipCacheDirOf(['--cache-dir=/abs', '--no-cache-dir'], '/w', {}, '/h')).toBeUndefined()
    expect(pipCacheDirOf(['--no-cache-dir', '--cache-dir', '/c'], '/w', {}, '/h')).toBe('/c')
    expect(pipCacheDirOf([], '/w', { PIP_CACHE_DIR: 'rel' }, '/h')).toBe('/w/rel')
  })
})

describe('executableName', () => {
  it('adds .exe on Windows only', () => {
    expect(executableName('zstd', 'win32')).toBe('zstd.exe')
    expect(executableName('zstd', 'linux')).toBe('zstd')
    expect(executableName('zstd', 'darwin')).toBe('zstd')
  })
})

describe('rangeReader', () => {
  it("reads a range of its stdin in place with dd's byte counts, on Linux only", () => {
    expect(rangeReader({ start: 1024, end: 4096 }, 'linux')).toEqual({
      command: 'dd',
      args: [
        'if=/proc/self/fd/0',
        'bs=128K',
        'iflag=skip_bytes,count_bytes',
        'skip=1024',
        'count=3072',
        'status=none'
      ]
    })
    expect(rangeReader({ start: 0, end: 10 }, 'darwin')).toBeUndefined()
    expect(rangeReader({ start: 0, end: 10 }, 'win32')).toBeUndefined()
  })
})
