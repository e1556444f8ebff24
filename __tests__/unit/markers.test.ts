import { describe, expect, it } from 'vitest'
import { isValidMarker } from '../../src/pip/markers.js'

// Each verdict checked against pip 23.2.1 (packaging 21.3), 24.2 and 26.2.1 (packaging 24, 26).
describe('isValidMarker', () => {
  it.each([
    'python_version >= "3.8"',
    "sys_platform=='linux'",
    'os_name == "nt" and python_version < "3"',
    '(python_version < "3.9" or platform_machine == "arm64") and extra == "dev"',
    "platform_machine in 'x86_64 aarch64'",
    "'linux' not in sys_platform",
    'python_full_version === "3.12.1"',
    'os.name == "posix"',
    'python_version>"3"or(os_name=="nt")',
    '"a" == "b"'
  ])('takes %j, as every pip does', marker => expect(isValidMarker(marker)).toBe(true))

  it.each([
    // pip 23's pyparsing matches literals with no word boundary.
    ['python_version >= "3" andextra == "x"', 'pip 23'],
    ['python_versionin "3.8"', 'pip 23'],
    // pyparsing expands tabs first: this one becomes a single space.
    ['sys_platformnot\tin "x"', 'pip 23'],
    // packaging 22 and later read strings as Python literals; 21.3 takes any text.
    ['python_version >= "3\\"', 'pip 23'],
    ['python_version not  in "3.8 3.9"', 'pip 24 on'],
    ['python_version not\tin "3.8 3.9"', 'pip 24 on'],
    ['extras == "x"', 'pip 26'],
    ['dependency_groups == "dev"', 'pip 26']
  ])('takes %j, as %s does', marker => expect(isValidMarker(marker)).toBe(true))

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
    'platform.release == "x"',
    'python_version ==== "3"',
    'python_version == "3" and and os_name == "x"',
    // The tab widens to six spaces for pyparsing; packaging 22 wants a word boundary before `not`.
    'os_namenot\tin "x"',
    'python_version\u00a0>= "3"',
    'extras == "\\x4"'
  ])('rejects %j, as every pip does', marker => expect(isValidMarker(marker)).toBe(false))
})
