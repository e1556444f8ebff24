import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { parsePep508 } from '../../src/pip/pep508.js'
import { MIRROR_PIP, NO_MIRROR } from '../helpers/mirror.js'

const VALID = [
  'requests',
  'requests>=2',
  'requests >= 2.31, < 3',
  'requests[security,socks]==2.31.0',
  'requests [ security ] (>=2)',
  'pip @ https://example.com/pip-26.0-py3-none-any.whl',
  'pip @ file:///tmp/pip.whl ; python_version >= "3.9"',
  'pywin32; sys_platform == "win32"',
  'foo; python_version >= "3.8" and (os_name == "posix" or platform.machine == "x86_64")',
  'foo; "linux" in sys_platform',
  "foo; extra not in 'a b'",
  'foo==1.*',
  'foo!=2.0+local.1',
  'foo~=1.4.5rc1.post2.dev3',
  'foo===anything-goes',
  'foo==v1.0',
  'Mixed_Case.Name',
  'foo\n'
]

const INVALID = [
  '',
  'not a valid req!!',
  '-e .',
  './local/path',
  'foo>=1.0<2.0',
  'foo=1',
  'foo>=1.*',
  'foo<=1+local',
  'foo~=1',
  'foo[bar baz]',
  'foo[bar,]',
  'foo (>=1',
  'foo; python_version',
  'foo; os_name = "posix"',
  'foo; os_name == posix',
  'foo; (os_name == "nt"',
  'foo; os_name not "nt"',
  'foo @',
  'foo @ https://x.org/a.whl; python_version > "3"',
  'foo==1.0 bar',
  'foo ;',
  'foo===,<'
]

describe('PEP 508 requirements', () => {
  it.each(VALID)('accepts %j', text => {
    expect(parsePep508(text)).toHaveProperty('name')
  })

  it.each(INVALID)('rejects %j', text => {
    expect(parsePep508(text)).toHaveProperty('error')
  })

  it('names the project and points at the problem as packaging does', () => {
    expect(parsePep508('Mixed_Case[x]>=1')).toEqual({ name: 'Mixed_Case' })
    expect(parsePep508("typing_extensions>=4.6.0; python_version<'3.13' ")).toEqual({
      name: 'typing_extensions',
      marker: "python_version<'3.13'"
    })
    expect(parsePep508('x @ https://h/x.whl ; sys_platform == "linux"')).toEqual({
      name: 'x',
      marker: 'sys_platform == "linux"'
    })
    expect(parsePep508('not a valid req!!')).toEqual({
      error: 'Expected semicolon (after name with no version specifier) or end',
      column: 4
    })
    expect(parsePep508('foo>=1.*')).toEqual({
      error: '.* suffix can only be used with `==` or `!=` operators',
      column: 3
    })
  })
})

/** Random specifiers from fragments that sit near packaging's grammar edges; seeded. */
function generated(seed: number, count: number): string[] {
  let state = seed
  const next = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    return (state >>> 8) % n
  }
  const pick = (xs: string[]): string => xs[next(xs.length)]
  const names = ['foo', 'Foo_Bar.baz', 'a', '9x', 'x-', '-x', 'x y', 'é']
  const extras = ['', '[a]', '[a,b]', '[ a , b ]', '[]', '[a b]', '[a,]', '[']
  const versions = ['1', '1.0', '1.*', '1.0+loc', 'v2', '1!2.0rc1.post3.dev4', 'x', '1.0-1', '']
  const ops = ['==', '>=', '<', '~=', '!=', '===', '=', '>>', '']
  const markers = [
    '',
    '; python_version >= "3.8"',
    ";os_name=='nt' and extra == 'x'",
    '; (sys_platform == "linux" or sys_platform == "darwin")',
    '; dependency_groups in "x"',
    '; python_version',
    '; "a" not in "b"',
    '; foo == "1"',
    ';',
    '; (os_name == "nt"'
  ]
  const spaces = ['', ' ', '  ', '\t']
  return Array.from({ length: count }, () => {
    if (next(6) === 0) {
      return `${pick(names)}${pick(extras)}${pick(spaces)}@${pick(spaces)}${pick(['https://h/x.whl', 'file:///x', ''])}${pick(spaces)}${pick(markers)}`
    }
    const clause = () => `${pick(ops)}${pick(spaces)}${pick(versions)}`
    const clauses = [clause(), ...(next(3) === 0 ? [clause()] : [])].join(pick([',', ', ', ' ']))
    const body = next(5) === 0 ? `(${clauses})` : clauses
    return `${pick(spaces)}${pick(names)}${pick(spaces)}${pick(extras)}${pick(spaces)}${body}${pick(spaces)}${pick(markers)}`
  })
}

const ORACLE = String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
from pip._vendor.packaging.specifiers import InvalidSpecifier
out = []
for text in json.load(sys.stdin):
    try:
        out.append({"name": Requirement(text).name})
    except InvalidRequirement as e:
        lines = str(e).split("\n")
        out.append({"error": lines[0], "column": len(lines[2]) - len(lines[2].lstrip(" ")) - 4})
    except InvalidSpecifier as e:
        out.append({"error": str(e), "column": 0})
print(json.dumps(out))
`

describe.skipIf(!MIRROR_PIP)("PEP 508 against pip 26's own parser", () => {
  it('agrees on verdict, name, message and column for generated specifiers', () => {
    const seed = Number(process.env.PEP508_SEED ?? Date.now() % 100000)
    const cases = [...VALID, ...INVALID, ...generated(seed, 3000)]
    const expected = JSON.parse(
      execFileSync('python3', ['-c', ORACLE, MIRROR_PIP!], {
        input: JSON.stringify(cases),
        encoding: 'utf8'
      })
    ) as object[]
    const disagreements = cases
      .map((text, i) => {
        // The verdict and the name: the marker as written is checked apart (packaging rewrites it).
        const result = parsePep508(text)
        return { text, ours: 'name' in result ? { name: result.name } : result, pips: expected[i] }
      })
      .filter(c => JSON.stringify(c.ours) !== JSON.stringify(c.pips))
    expect(disagreements.slice(0, 5), `seed ${seed} (PEP508_SEED=${seed} repeats it)`).toEqual([])
  })
})

if (!MIRROR_PIP) console.log(NO_MIRROR)
