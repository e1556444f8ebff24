import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  groupArgument,
  parseGroupSpec,
  readDependencyGroups,
  type GroupSpec
} from '../../src/pip/dependency-groups.js'
import { MIRROR_PIP, NO_MIRROR } from '../helpers/mirror.js'

const FILE = path.resolve('/project/pyproject.toml')

function read(text: string, ...groups: string[]) {
  const specs: GroupSpec[] = groups.map(group => ({ pyproject: FILE, group }))
  return readDependencyGroups(specs, () => Buffer.from(text))
}

const PROJECT = `[project]
name = "demo"
version = "1.0"

[dependency-groups]
test = [
  "pytest>=8",  # a comment
  { include-group = "Lint_Tools" },
  "coverage[toml]; python_version >= '3.9'",
]
lint-tools = ["ruff==0.6.0", "mypy"]
docs = ["sphinx", {include-group = "test"}]
`

describe('group specs', () => {
  it('reads NAME and PATH:NAME as pip does (the last colon splits)', () => {
    expect(parseGroupSpec('test', '/w')).toEqual({
      pyproject: path.resolve('/w/pyproject.toml'),
      group: 'test'
    })
    expect(parseGroupSpec('sub/pyproject.toml:docs', '/w')).toEqual({
      pyproject: path.resolve('/w/sub/pyproject.toml'),
      group: 'docs'
    })
    expect(parseGroupSpec('C:/x/pyproject.toml:docs', '/w')).toMatchObject({ group: 'docs' })
  })

  it('refuses other file names and names that are no group names', () => {
    expect(parseGroupSpec('sub/setup.cfg:docs', '/w')).toMatch(/must be a pyproject.toml/)
    expect(parseGroupSpec('sub/pyproject.toml:', '/w')).toMatch(/not a dependency group name/)
    expect(parseGroupSpec('te$t', '/w')).toMatch(/not a dependency group name/)
  })

  it('gives pip the shortest argument that names the same group', () => {
    const cwd = path.resolve('/w')
    expect(groupArgument({ pyproject: path.join(cwd, 'pyproject.toml'), group: 'a' }, cwd)).toBe(
      'a'
    )
    expect(
      groupArgument({ pyproject: path.join(cwd, 'sub', 'pyproject.toml'), group: 'a' }, cwd)
    ).toBe(`${path.join('sub', 'pyproject.toml')}:a`)
  })
})

describe('dependency groups', () => {
  it('follows includes with normalized names, each requirement on its own line', () => {
    const result = read(PROJECT, 'docs')
    expect(result.problems).toEqual([])
    expect(result.files).toEqual([FILE])
    expect(result.entries.map(e => [e.text, e.line, e.name])).toEqual([
      ['sphinx', 12, 'sphinx'],
      ['pytest>=8', 7, 'pytest'],
      ['ruff==0.6.0', 11, 'ruff'],
      ['mypy', 11, 'mypy'],
      ["coverage[toml]; python_version >= '3.9'", 9, 'coverage']
    ])
  })

  it('takes the requested name in any spelling that normalizes the same', () => {
    expect(read(PROJECT, 'LINT.tools').entries.map(e => e.text)).toEqual(['ruff==0.6.0', 'mypy'])
  })

  it('reads groups written as dotted keys and inline tables', () => {
    const dotted = 'dependency-groups.test = [\n  "a",\n  "b"\n]\n'
    expect(read(dotted, 'test').entries.map(e => e.line)).toEqual([2, 3])
    const inline = 'dependency-groups = { test = ["a"], x = [{include-group = "test"}] }\n'
    expect(read(inline, 'x').entries).toMatchObject([{ text: 'a', line: 1 }])
  })

  it('puts a group that does not exist on the table, listing the ones there are', () => {
    const [problem] = read(PROJECT, 'tests').problems
    expect(problem.file).toBe(FILE)
    expect(problem.line).toBe(5)
    expect(problem.message).toBe(
      'dependency group "tests" does not exist in pyproject.toml (groups: test, lint-tools, docs)'
    )
  })

  it('puts an include of a group that does not exist on the include', () => {
    const text = '[dependency-groups]\na = [\n  "x",\n  {include-group = "nope"},\n]\n'
    expect(read(text, 'a').problems).toMatchObject([
      { line: 4, message: expect.stringMatching(/included dependency group "nope" does not/) }
    ])
  })

  it('puts a cycle on the include that closes it', () => {
    const text =
      '[dependency-groups]\nCyc_A = [{include-group = "cyc-b"}]\ncyc-b = [\n  "x",\n  {include-group = "cyc.a"},\n]\n'
    expect(read(text, 'cyc-a').problems).toMatchObject([
      {
        line: 5,
        message: 'include-group cycle: Cyc_A -> cyc-b -> Cyc_A; remove one of the includes'
      }
    ])
    const self = '[dependency-groups]\na = [{include-group = "a"}]\n'
    expect(read(self, 'a').problems).toMatchObject([{ line: 2, message: /a -> a/ }])
  })

  it('accepts a group included twice without a cycle (a diamond), twice as pip does', () => {
    const text =
      '[dependency-groups]\na = [{include-group = "b"}, {include-group = "c"}]\nb = [{include-group = "d"}]\nc = [{include-group = "d"}]\nd = ["x"]\n'
    const result = read(text, 'a')
    expect(result.problems).toEqual([])
    expect(result.entries.map(e => e.text)).toEqual(['x', 'x'])
  })

  it('puts an invalid requirement on its line with packaging’s reason', () => {
    const text = '[dependency-groups]\ntest = [\n  "ok",\n  "not a valid req!!",\n]\n'
    expect(read(text, 'test').problems).toEqual([
      {
        kind: 'invalid-requirement',
        file: FILE,
        line: 4,
        message:
          '"not a valid req!!" is not a valid requirement (PEP 508): Expected semicolon (after name with no version specifier) or end'
      }
    ])
  })

  it('checks only the groups asked for, as pip does', () => {
    const text = '[dependency-groups]\ngood = ["x"]\nbad = ["!!"]\n'
    expect(read(text, 'good').problems).toEqual([])
  })

  it('refuses malformed groups and items', () => {
    expect(read('[dependency-groups]\na = "x"\n', 'a').problems).toMatchObject([
      { line: 2, message: /must be a list of requirements, not "x"/ }
    ])
    expect(read('[dependency-groups]\na = [\n 3,\n]\n', 'a').problems).toMatchObject([
      { line: 3, message: /3 in group "a" is neither/ }
    ])
    expect(
      read('[dependency-groups]\nb = []\na = [{include-group = "b", x = 1}]\n', 'a').problems
    ).toMatchObject([{ line: 3 }])
    expect(read('[dependency-groups]\na = [{include-group = 3}]\n', 'a').problems).toHaveLength(1)
  })

  it('refuses names that collide once normalized, on the second one', () => {
    const text = '[dependency-groups]\ntest = ["a"]\n\nTest = ["b"]\n'
    expect(read(text, 'test').problems).toMatchObject([
      { line: 4, message: /"test" and "Test" have the same name once normalized/ }
    ])
  })

  it('reports a missing table, a table that is none, and TOML syntax errors with their line', () => {
    expect(read('[project]\nname = "x"\n', 'a').problems).toMatchObject([
      { line: 1, message: /has no \[dependency-groups\] table/ }
    ])
    expect(read('x = 1\ndependency-groups = 3\n', 'a').problems).toMatchObject([{ line: 2 }])
    expect(read('[project]\nname = "x\n', 'a').problems).toMatchObject([
      { line: 2, message: /is not valid TOML/ }
    ])
  })

  it('reads each pyproject.toml once for several groups', () => {
    let reads = 0
    const specs = ['test', 'docs'].map(group => ({ pyproject: FILE, group }))
    readDependencyGroups(specs, () => {
      reads++
      return Buffer.from(PROJECT)
    })
    expect(reads).toBe(1)
  })
})

/** pip's own reader, for many projects in one start of Python: names in order, or null for an error. */
const ORACLE = String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
from pip._internal.req.req_dependency_group import parse_dependency_groups
from pip._vendor.packaging.requirements import Requirement
out = []
for file, groups in json.load(sys.stdin):
    try:
        reqs = parse_dependency_groups([(file, g) for g in groups])
        out.append([Requirement(r).name.lower() for r in reqs])
    except Exception:
        out.append(None)
print(json.dumps(out))
`

const CASES: Array<[string, string[]]> = [
  [PROJECT, ['docs']],
  [PROJECT, ['test', 'lint-tools']],
  [PROJECT, ['LINT.tools']],
  [PROJECT, ['tests']],
  ['[dependency-groups]\na = [{include-group = "b"}]\nb = [{include-group = "a"}]\n', ['a']],
  ['[dependency-groups]\na = [{include-group = "a"}]\n', ['a']],
  ['[dependency-groups]\na = ["x", "y!!"]\n', ['a']],
  ['[dependency-groups]\ngood = ["x"]\nbad = ["!!"]\n', ['good']],
  ['[dependency-groups]\na = "x"\n', ['a']],
  ['[dependency-groups]\na = [3]\n', ['a']],
  ['[dependency-groups]\na = [{include-group = "b", x = 1}]\nb = []\n', ['a']],
  ['[dependency-groups]\na = ["x"]\nA = ["y"]\n', ['a']],
  ['[project]\nname = "x"\n', ['a']],
  ['dependency-groups = 3\n', ['a']],
  ['[dependency-groups]\na = ["x"\n', ['a']],
  [
    '[dependency-groups]\na = [{include-group = "b"}, {include-group = "c"}]\nb = [{include-group = "d"}]\nc = [{include-group = "d"}]\nd = ["x"]\n',
    ['a']
  ],
  ['dependency-groups.a = ["x>=1; os_name == \'posix\'", "z[e]@ https://h/z.whl"]\n', ['a']]
]

describe.skipIf(!MIRROR_PIP)("dependency groups against pip 26's own reader", () => {
  it('agrees with pip on which projects are read, and on every failure', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groups-'))
    const files = CASES.map(([text], i) => {
      fs.mkdirSync(path.join(dir, String(i)))
      const file = path.join(dir, String(i), 'pyproject.toml')
      fs.writeFileSync(file, text)
      return file
    })
    const pips = JSON.parse(
      execFileSync('python3', ['-c', ORACLE, MIRROR_PIP!], {
        input: JSON.stringify(files.map((file, i) => [file, CASES[i][1]])),
        encoding: 'utf8'
      })
    ) as Array<string[] | null>
    const ours = files.map((file, i) => {
      const read = readDependencyGroups(CASES[i][1].map(group => ({ pyproject: file, group })))
      return read.problems.length > 0 ? null : read.entries.map(e => e.name)
    })
    fs.rmSync(dir, { recursive: true, force: true })
    expect(ours).toEqual(pips)
  })
})

if (!MIRROR_PIP) console.log(NO_MIRROR)
