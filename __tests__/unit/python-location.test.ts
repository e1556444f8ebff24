import { expect, it } from 'vitest'
import { locationVariables } from '../../src/python/location.js'

it('Linux: what setup-python exports, with lib/ on LD_LIBRARY_PATH', () => {
  const env = { LD_LIBRARY_PATH: '/usr/local/lib', PKG_CONFIG_PATH: '/usr/share/pkgconfig' }
  expect(locationVariables('/tc/Python/3.12.1/x64', 3, env, 'linux')).toEqual({
    pythonLocation: '/tc/Python/3.12.1/x64',
    Python_ROOT_DIR: '/tc/Python/3.12.1/x64',
    Python3_ROOT_DIR: '/tc/Python/3.12.1/x64',
    PKG_CONFIG_PATH: '/tc/Python/3.12.1/x64/lib/pkgconfig:/usr/share/pkgconfig',
    LD_LIBRARY_PATH: '/tc/Python/3.12.1/x64/lib:/usr/local/lib'
  })
})

it('macOS: no LD_LIBRARY_PATH', () => {
  expect(locationVariables('/tc/Python/3.12.1/arm64', 3, {}, 'darwin')).toEqual({
    pythonLocation: '/tc/Python/3.12.1/arm64',
    Python_ROOT_DIR: '/tc/Python/3.12.1/arm64',
    Python3_ROOT_DIR: '/tc/Python/3.12.1/arm64',
    PKG_CONFIG_PATH: '/tc/Python/3.12.1/arm64/lib/pkgconfig'
  })
})

it('Windows: ; separated, backslashes', () => {
  expect(
    locationVariables('C:\\tc\\Python\\3.12.1\\x64', 3, { PKG_CONFIG_PATH: 'C:\\pc' }, 'win32')
  ).toEqual({
    pythonLocation: 'C:\\tc\\Python\\3.12.1\\x64',
    Python_ROOT_DIR: 'C:\\tc\\Python\\3.12.1\\x64',
    Python3_ROOT_DIR: 'C:\\tc\\Python\\3.12.1\\x64',
    PKG_CONFIG_PATH: 'C:\\tc\\Python\\3.12.1\\x64\\lib\\pkgconfig;C:\\pc'
  })
})

it('Python 2 gets Python2_ROOT_DIR', () => {
  const vars = locationVariables('/tc/Python/2.7.18/x64', 2, {}, 'linux')
  expect(vars.Python2_ROOT_DIR).toBe('/tc/Python/2.7.18/x64')
  expect(vars).not.toHaveProperty('Python3_ROOT_DIR')
})
