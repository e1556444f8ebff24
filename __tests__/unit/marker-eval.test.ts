import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { evaluateMarker } from '../../src/pip/marker-eval.js'
import { findPython } from '../helpers/pythons.js'

const PY312 = {
  implementation_name: 'cpython',
  implementation_version: '3.12.1',
  os_name: 'posix',
  platform_machine: 'x86_64',
  platform_release: '6.8.0-1017-azure',
  platform_system: 'Linux',
  platform_version: '#20-Ubuntu SMP',
  python_full_version: '3.12.1',
  platform_python_implementation: 'CPython',
  python_version: '3.12',
  sys_platform: 'linux',
  extra: ''
}

/** Markers from real projects' requirement lines (mypy, pip-tools, Django, numpy) and edge cases. */
const MARKERS = [
  'python_version < "3.13"',
  "python_version>='3.13'",
  'python_version >= "3.8" and python_version < "3.12"',
  'python_full_version >= "3.12.1"',
  'python_full_version < "3.12.0"',
  'python_version == "3.*"',
  'python_version != "3.12.*"',
  'python_version ~= "3.10"',
  'python_version ~= "3.13"',
  'sys_platform == "win32"',
  'sys_platform != "win32" and platform_machine == "x86_64"',
  '(os_name == "nt" or sys_platform == "darwin") or python_version < "3.9"',
  'platform_python_implementation == "CPython"',
  'implementation_name == "pypy"',
  '"linux" in sys_platform',
  '"arm" not in platform_machine',
  'platform_system == "Linux" and (python_version < "3.11" or extra == "test")',
  'extra == "dev"',
  'platform_release >= "6"',
  'python_version === "3.12"'
]

describe('markers evaluated for an interpreter', () => {
  it('decides the common forms', () => {
    expect(evaluateMarker('python_version < "3.13"', PY312)).toBe(true)
    expect(evaluateMarker("python_version>='3.13'", PY312)).toBe(false)
    expect(evaluateMarker('python_version < "3.13"', { ...PY312, python_version: '3.13' })).toBe(
      false
    )
    expect(evaluateMarker('sys_platform == "win32" or python_version >= "3"', PY312)).toBe(true)
  })

  it('says undefined where it cannot tell, never a wrong answer', () => {
    expect(
      evaluateMarker('python_full_version < "3.14"', { ...PY312, python_full_version: '3.14.0rc1' })
    ).toBe(undefined)
    expect(evaluateMarker('dependency_groups == "x"', PY312)).toBe(undefined)
    expect(evaluateMarker('python_version <', PY312)).toBe(undefined)
    // An unknown side does not hide a decided one.
    expect(evaluateMarker('dependency_groups == "x" and python_version > "4"', PY312)).toBe(false)
  })

  const python = findPython('3.12')?.executable
  it.skipIf(!python)("agrees with pip's own packaging wherever it decides", () => {
    const script = `import json, sys
from pip._vendor.packaging.markers import Marker
cases = json.loads(sys.argv[1]); env = json.loads(sys.argv[2])
print(json.dumps([Marker(m).evaluate(env) for m in cases]))`
    const theirs = JSON.parse(
      execFileSync(python!, ['-I', '-c', script, JSON.stringify(MARKERS), JSON.stringify(PY312)], {
        encoding: 'utf8'
      })
    ) as boolean[]
    const ours = MARKERS.map(m => evaluateMarker(m, PY312))
    MARKERS.forEach((m, i) => {
      if (ours[i] !== undefined) expect([m, ours[i]]).toEqual([m, theirs[i]])
    })
    // Only the string comparison of a release is left undecided here.
    expect(ours.filter(v => v === undefined).length).toBeLessThanOrEqual(1)
  })
})

if (!findPython('3.12')) console.log('no Python 3.12: the comparison with packaging is skipped')
