import { describe, expect, it } from 'vitest'
import { isValidMarker } from '../../src/pip/markers.js'

describe('isValidMarker', () => {
  it.each([
    'python_version >= "3.8"',
    "sys_platform=='linux'",
    ' os_name == "nt" and python_version < "3" ',
    '(python_version < "3.9" or platform_machine == "arm64") and extra == "dev"',
    "platform_machine in 'x86_64 aarch64'",
    "'linux' not  in sys_platform",
    'python_full_version === "3.12.1"',
    'os.name == "posix"'
  ])('takes %j', marker => expect(isValidMarker(marker)).toBe(true))

  it.each([
    '',
    ' ',
    'python_version >> "3"',
    'foo == "1"',
    'python_version >= 3.8',
    'python_version >= "3.8" and',
    '(python_version >= "3.8"',
    'python_version "3.8"',
    'python_version >= "3.8',
    'android == "1"',
    'python_version >= "3" andextra == "x"'
  ])('rejects %j', marker => expect(isValidMarker(marker)).toBe(false))
})
