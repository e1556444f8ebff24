import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { annotate, failure as failWith } from '../../src/annotations/emit.js'
import type { Finding } from '../../src/annotations/finding.js'
import { findingsFromPipCheck, findingsFromPipFailure } from '../../src/annotations/findings.js'
import { toldSoFar } from '../../src/report/log.js'
import { CASES, FIXTURES } from '../../scripts/pip-failure-cases.mjs'
import { LINUX, parseCase } from '../helpers/requirements.js'
import { NO_REQUIREMENTS, parseRequirementFiles } from '../../src/pip/requirements.js'
import { readPylock } from '../../src/pip/pylock.js'

vi.mock('@actions/core', async importOriginal => ({
  ...(await importOriginal<typeof import('@actions/core')>()),
  error: vi.fn(),
  warning: vi.fn(),
  setSecret: vi.fn()
}))

/** The case's project as pip saw it (the fixtures name it /project): its requirements or its lock. */
function parsedCase(name: string) {
  const { files, lock } = CASES[name]
  if (!lock) return { parsed: parseCase(files), workspace: '/project' }
  const text = files['pylock.toml']
    .replaceAll('WHEELHOUSE', '/wheelhouse')
    .replaceAll('PROJECT', '/project')
  const read = readPylock('/project/pylock.toml', Buffer.from(text))
  if (!('doc' in read)) throw new Error(read.message)
  return {
    parsed: { ...NO_REQUIREMENTS, entries: read.entries },
    workspace: '/project',
    locks: [read]
  }
}

/** Every captured output of a case: [pip version, what pip printed]. */
function outputs(name: string): Array<[string, string]> {
  const found = fs
    .readdirSync(FIXTURES)
    .map(f => new RegExp(`^${name}\\.pip-(.+)\\.txt$`).exec(f))
    .filter(m => m !== null)
    .map(m => [m[1], fs.readFileSync(path.join(FIXTURES, m[0]), 'utf8')] as [string, string])
  if (found.length === 0) throw new Error(`no fixture for ${name}`)
  return found
}

/** kind, where (relative to the project) and message: what an assertion needs of a finding. */
function summary(findings: Finding[]) {
  return findings.map(f => ({
    kind: f.kind,
    where: f.file ? `${path.relative('/project', f.file)}:${f.line}` : undefined,
    message: f.message
  }))
}

function failure(name: string, output: string) {
  return summary(findingsFromPipFailure(output, parsedCase(name), 'Install the requirements', 1))
}

type Expected = Array<{ kind: string; where?: string; message: RegExp }>

const EXPECTED: Record<string, Expected> = {
  'not-found': [
    {
      kind: 'not-found',
      where: 'requirements/dev.txt:3',
      message:
        /^No version of nonexistent-package==1\.0 matches \(pip found no version of it at all\)/
    }
  ],
  'no-version': [
    {
      kind: 'not-found',
      where: 'requirements.txt:3',
      message: /^No version of alpha>=3 matches \(pip found 1\.0\.0, 2\.0\.0\)/
    }
  ],
  'requires-python': [
    {
      kind: 'not-found',
      where: 'requirements.txt:2',
      message:
        /^future-python-only requires Python >=3\.99, and this is Python 3\.\d+\.\d+\. Use a version of future-python-only that supports it, or another python-version\.$/
    }
  ],
  'dependency-not-found': [
    {
      kind: 'not-found',
      where: 'requirements.txt:2',
      message: /^needs-missing needs not-in-index>=1, and no version of it matches/
    }
  ],
  'invalid-requirement': [
    {
      kind: 'invalid-requirement',
      where: 'requirements.txt:2',
      message:
        /^Invalid requirement: beta = 1\.0.*\nHint: = is not a valid operator\. Did you mean == \?$/
    }
  ],
  'invalid-version': [
    {
      kind: 'invalid-requirement',
      where: 'requirements.txt:3',
      message:
        /^Invalid requirement: beta>=1\.0<2\.0 \(Expected end or semicolon \(after version specifier\)\)$/
    }
  ],
  'unknown-option': [
    {
      kind: 'invalid-requirement',
      where: 'requirements.txt:2',
      message: /^Invalid requirement: --no-such-option\nno such option: --no-such-option$/
    }
  ],
  'not-installable': [
    {
      kind: 'invalid-requirement',
      where: 'requirements.txt:2',
      message:
        /^\.\/libs\/empty is not a Python project: Neither 'setup\.py' nor 'pyproject\.toml' found\.$/
    }
  ],
  conflict: [
    {
      kind: 'conflict',
      where: 'requirements/base.txt:2',
      message:
        /^alpha 2\.0\.0 depends on beta>=2, which conflicts with needs-old-beta 1\.0\.0, which depends on beta<2 \(requirements\.txt:2\)\. Loosen or change one of them\.$/
    },
    {
      kind: 'conflict',
      where: 'requirements.txt:2',
      message:
        /^needs-old-beta 1\.0\.0 depends on beta<2, which conflicts with alpha 2\.0\.0, which depends on beta>=2 \(requirements\/base\.txt:2\)\./
    }
  ],
  'conflict-user-pin': [
    {
      kind: 'conflict',
      where: 'requirements.txt:1',
      message:
        /^beta==2\.0\.0, which conflicts with needs-old-beta 1\.0\.0, which depends on beta<2 \(requirements\.txt:3\)\./
    },
    {
      kind: 'conflict',
      where: 'requirements.txt:3',
      message:
        /^needs-old-beta 1\.0\.0 depends on beta<2, which conflicts with beta==2\.0\.0 \(requirements\.txt:1\)\./
    }
  ],
  'conflict-constraint': [
    {
      kind: 'conflict',
      where: 'requirements.txt:2',
      message:
        /^alpha 2\.0\.0 depends on beta>=2, which conflicts with the constraint beta==1\.0\.0 \(constraints\.txt:2\)\./
    },
    {
      kind: 'conflict',
      where: 'constraints.txt:2',
      message:
        /^the constraint beta==1\.0\.0, which conflicts with alpha 2\.0\.0, which depends on beta>=2 \(requirements\.txt:2\)\./
    }
  ],
  'hash-mismatch': [
    {
      kind: 'hash',
      where: 'requirements.txt:1',
      message:
        /^The file pip got for beta==2\.0\.0 does not match the --hash here \(Expected sha256 0{64}, got 419448d1bc29f044c6b4e75178717315e4c26c683f06c14d818ef756f59ff969\)/
    }
  ],
  'hash-missing': [
    {
      kind: 'hash',
      where: 'requirements.txt:3',
      message:
        /^gamma==0\.3\.0 has no --hash, .* Add: gamma==0\.3\.0 --hash=sha256:3bcc080769e842290f465068e54e9c5469a5449c789d1c809c052f6ba0e5d865$/
    }
  ],
  'hash-unpinned': [
    {
      kind: 'hash',
      where: 'requirements.txt:1',
      message: /^delta must be pinned with == in hash-checking mode/
    }
  ],
  'build-failure': [
    {
      kind: 'build',
      where: 'requirements.txt:2',
      message:
        /^broken-build could not be built from source \(Building wheel for broken-build \(pyproject\.toml\) failed\): RuntimeError: broken-build cannot be built here: the compiler failed \(venv-guard test package\)\./
    }
  ],
  'metadata-failure': [
    {
      kind: 'build',
      where: 'requirements.txt:3',
      message:
        /^broken-metadata could not be built from source \(Getting requirements to build wheel failed\): RuntimeError: broken-metadata cannot be built here/
    }
  ],
  'missing-include': [
    {
      kind: 'missing-file',
      where: 'requirements.txt:2',
      message:
        /^requirements\/missing\.txt cannot be opened: No such file or directory\. Fix the path/
    }
  ],
  'vcs-clone': [
    {
      kind: 'clone',
      where: 'requirements.txt:2',
      message:
        /^Cloning https:\/\/user:\*\*\*@127\.0\.0\.1:9\/scrapy\/sphinx-scrapy\.git failed \(fatal: unable to access .*\)\. Check the URL .* credentials/
    }
  ],
  'vcs-clone-bare': [
    {
      kind: 'clone',
      where: 'requirements.txt:3',
      message: /^Cloning https:\/\/127\.0\.0\.1:9\/celery\/kombu\.git failed \(fatal: /
    }
  ],
  'url-unreachable': [
    {
      kind: 'fetch',
      where: 'requirements.txt:2',
      message:
        /^(pkg @ )?https:\/\/127\.0\.0\.1:9\/files\/pkg-1\.0-py3-none-any\.whl could not be fetched \(.*(Connection refused|NewConnectionError).*\)\. Check/
    }
  ],
  'url-missing-file': [
    {
      kind: 'fetch',
      where: 'requirements.txt:2',
      message:
        /^\/nonexistent\/dir\/third-1\.0\.tar\.gz could not be fetched \(\[Errno 2\] No such file or directory/
    }
  ],
  'editable-build-failure': [
    {
      kind: 'build',
      where: 'requirements.txt:2',
      message:
        /^-e \. could not be built from source \(.*\): RuntimeError: myapp cannot be built here/
    }
  ],
  'not-found-no-file': [
    { kind: 'not-found', where: undefined, message: /^No version of nonexistent-package matches/ }
  ],
  'bad-pip-args': [
    {
      kind: 'pip',
      where: undefined,
      message:
        /^Install the requirements failed: pip exited with 1\.\nno such option: --definitely-not-an-option$/
    }
  ]
}

// A lock's own sources, as pip 26.2.1 fails on them: on the url or path line of that [[packages]] entry.
Object.assign(EXPECTED, {
  'lock-url-unreachable': [
    {
      kind: 'fetch',
      where: 'pylock.toml:21',
      message:
        /^https:\/\/127\.0\.0\.1:9\/files\/delta-1\.1\.0-py3-none-any\.whl could not be fetched \(\[Errno 111\] Connection refused\)/
    }
  ],
  'lock-path-missing': [
    {
      kind: 'fetch',
      where: 'pylock.toml:21',
      message:
        /^\/project\/wheels\/delta-1\.1\.0-py3-none-any\.whl could not be fetched \(\[Errno 2\] No such file or directory/
    }
  ],
  'lock-directory-hashes': [
    {
      kind: 'hash',
      where: 'pylock.toml:19',
      message:
        /^pip cannot verify a hash for file:\/\/\/project\/local\/: they point to directories\. In hash-checking mode/
    }
  ],
  'lock-editable-hashes': [
    {
      kind: 'hash',
      where: 'pylock.toml:19',
      message:
        /^The editable file:\/\/\/project\/local\/ cannot be installed in hash-checking mode .*: there is no single file to hash\./
    }
  ],
  'lock-vcs-hashes': [
    {
      kind: 'hash',
      where: 'pylock.toml:20',
      message:
        /^pip cannot verify a hash for localpkg @ git\+file:\/project\/repo@0123456789abcdef0123456789abcdef01234567: we don't have a way to hash version control repositories\./
    }
  ],
  'lock-vcs-commit': [
    {
      kind: 'clone',
      where: 'pylock.toml:9',
      message:
        /^Cloning file:\/\/\/project\/repo failed \(fatal: (remote error|git upload-pack): .*not our ref 0123456789abcdef0123456789abcdef01234567\)/
    }
  ]
} satisfies Record<string, Expected>)

describe('pip failures mapped to requirement lines, from real pip output', () => {
  const cases = Object.keys(CASES).filter(name => !CASES[name].check && !CASES[name].report)
  it('every failure case has its expectation', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(cases.sort())
  })
  const runs = cases.flatMap(name =>
    outputs(name).map(([version, output]) => [name, version, output])
  )
  it.each(runs)('%s, pip %s', (name, _version, output) => {
    const found = failure(name, output)
    const expected = EXPECTED[name]
    expect(found.map(f => [f.kind, f.where])).toEqual(expected.map(e => [e.kind, e.where]))
    found.forEach((f, i) => expect(f.message).toMatch(expected[i].message))
  })
})

describe('pip check', () => {
  it.each(outputs('pip-check'))(
    'pip %s: each broken dependency on the line of the package that needs it',
    (_version, output) => {
      const found = findingsFromPipCheck(output, parsedCase('pip-check'))
      expect(
        found.map(f => [f.severity, f.kind, `${path.relative('/project', f.file ?? '')}:${f.line}`])
      ).toEqual([
        ['warning', 'broken-dependency', 'requirements.txt:3'],
        ['warning', 'broken-dependency', 'requirements.txt:1']
      ])
      expect(found[0].message).toMatch(
        /^gamma 0\.3\.0 requires delta, which is not installed \(pip check\)/
      )
      expect(found[1].message).toMatch(
        /^alpha 2\.0\.0 has requirement beta>=2, but you have beta 1\.0\.0 \(pip check\)/
      )
    }
  )

  it('a package named nowhere but its dependency is: on the dependency line; neither: no line', () => {
    const parsed = parsedCase('pip-check')
    const found = findingsFromPipCheck(
      'omega 1.0 requires beta, which is not installed.\nomega 1.0 requires psi, which is not installed.\n',
      parsed
    )
    expect(found.map(f => f.line)).toEqual([2, undefined])
  })

  it('says nothing when all is well', () => {
    expect(
      findingsFromPipCheck('No broken requirements found.\n', parsedCase('pip-check'))
    ).toEqual([])
  })
})

describe("emitting within GitHub's cap", () => {
  beforeEach(() => vi.mocked(core.error).mockClear())
  const conflict = (line: number): Finding => ({
    severity: 'error',
    kind: 'conflict',
    title: 'venv-guard: dependency conflict',
    message: `conflict ${line}`,
    file: '/w/requirements/dev.txt',
    line
  })

  it('annotates ten errors, most important first, and keeps the rest for the summary', () => {
    const invalid: Finding = { ...conflict(40), kind: 'invalid-requirement', message: 'invalid' }
    const error = failWith(
      [...Array.from({ length: 12 }, (_, i) => conflict(i + 1)), invalid],
      '/w'
    )
    // The most important becomes the error that ends the step, told first.
    expect(error.message).toBe('invalid')
    expect(error.told).toBe(true)
    expect(error.diagnostic).toEqual({
      severity: 'error',
      message: 'invalid',
      title: 'venv-guard: dependency conflict',
      file: 'requirements/dev.txt',
      line: 40
    })
    expect(vi.mocked(core.error).mock.calls.map(c => c[0])).toEqual([
      'invalid',
      ...Array.from({ length: 9 }, (_, i) => `conflict ${i + 1}`)
    ])
    expect(vi.mocked(core.error).mock.calls[1][1]).toEqual({
      title: 'venv-guard: dependency conflict',
      file: 'requirements/dev.txt',
      startLine: 1
    })
    const told = toldSoFar()
    expect(told.filter(a => a.shown)).toHaveLength(10)
    expect(told.filter(a => !a.shown).map(a => `${a.file}:${a.line}`)).toEqual([
      'requirements/dev.txt:10',
      'requirements/dev.txt:11',
      'requirements/dev.txt:12'
    ])
  })

  it('counts warnings apart from errors, and a finding without a line has no file', () => {
    annotate(
      [
        { ...conflict(1), severity: 'warning', kind: 'broken-dependency' },
        { ...conflict(2), file: undefined, line: undefined }
      ],
      '/w'
    )
    expect(vi.mocked(core.warning)).toHaveBeenCalledWith('conflict 1', {
      title: 'venv-guard: dependency conflict',
      file: 'requirements/dev.txt',
      startLine: 1
    })
    expect(vi.mocked(core.error)).toHaveBeenCalledWith('conflict 2', {
      title: 'venv-guard: dependency conflict'
    })
  })

  it('masks credentials in what pip printed', () => {
    annotate(
      [{ ...conflict(1), message: 'cannot reach https://user:s3cret@pypi.example.com/simple' }],
      '/w'
    )
    expect(vi.mocked(core.error).mock.calls[0][0]).toBe(
      'cannot reach https://user:***@pypi.example.com/simple'
    )
    expect(core.setSecret).toHaveBeenCalledWith('s3cret')
  })
})

describe("pip 26's blame, as pip 26 printed it", () => {
  const parse = (files: Record<string, string>, constraints: string[] = []) =>
    parseRequirementFiles(
      ['/project/requirements.txt'],
      file => Buffer.from(files[file] ?? ''),
      LINUX,
      constraints
    )

  it('a dependency hash mode finds unpinned lands on the line that brought it in', () => {
    const parsed = parse({ '/project/requirements.txt': 'delta\nalpha==2.0.0 --hash=sha256:ab\n' })
    const output = [
      'Processing /w/alpha-2.0.0-py3-none-any.whl (from -r /project/requirements.txt (line 2))',
      'Processing /w/beta-2.0.0-py3-none-any.whl (from alpha==2.0.0->-r /project/requirements.txt (line 2))',
      'ERROR: In --require-hashes mode, all requirements must have their versions pinned with ==. These do not:',
      '    beta>=2 from file:///w/beta-2.0.0-py3-none-any.whl (from alpha==2.0.0->-r /project/requirements.txt (line 2))'
    ].join('\n')
    expect(
      summary(findingsFromPipFailure(output, { parsed, workspace: '/project' }, 'Install', 1))
    ).toEqual([
      {
        kind: 'hash',
        where: 'requirements.txt:2',
        message: expect.stringMatching(
          /^alpha==2\.0\.0 needs beta>=2, and hash-checking mode .* add beta==VERSION --hash/
        )
      }
    ])
  })

  it("a dependency of a lock's package lands on that package's entry", () => {
    const parsed = parse({ '/project/requirements.txt': 'delta\n' })
    parsed.entries.push({
      file: '/project/pylock.toml',
      line: 7,
      kind: 'requirement',
      text: 'mypy==2.4.0',
      name: 'mypy',
      constraint: false
    })
    const output = [
      'ERROR: In --require-hashes mode, all requirements must have their versions pinned with ==. These do not:',
      '    typing-extensions>=4 from file:///w/t.whl (from mypy==2.4.0->pylock.toml)'
    ].join('\n')
    const [found] = findingsFromPipFailure(output, { parsed, workspace: '/project' }, 'Install', 1)
    expect(`${found.file}:${found.line}`).toBe('/project/pylock.toml:7')
  })

  it('of two lines with opposite markers, the one pip took: its marker is true for the target', () => {
    const files = {
      '/project/requirements.txt': 'alpha==1.0.0\n-r more.txt\n',
      '/project/more.txt':
        'beta>=9.5,<10; python_version >= "3.13"\nbeta>=9,<10; python_version < "3.13"\n'
    }
    const parsed = parse(files)
    // pip 26.2.1's own words on Python 3.12.1, then on 3.13.0 (it sorts the specifiers).
    const outputs = {
      '3.12': [
        "Ignoring beta: markers 'python_version >= \"3.13\"' don't match your environment",
        'ERROR: Could not find a version that satisfies the requirement beta<10,>=9 (from versions: 1.0.0, 2.0.0)',
        'ERROR: No matching distribution found for beta<10,>=9'
      ],
      '3.13': [
        "Ignoring beta: markers 'python_version < \"3.13\"' don't match your environment",
        'ERROR: Could not find a version that satisfies the requirement beta<10,>=9.5 (from versions: 1.0.0, 2.0.0)',
        'ERROR: No matching distribution found for beta<10,>=9.5'
      ]
    }
    const where = (version: '3.12' | '3.13') => {
      const markers = { python_version: version, python_full_version: `${version}.0` }
      const context = { parsed, workspace: '/project', markers }
      return summary(
        findingsFromPipFailure(outputs[version].join('\n'), context, 'Install', 1)
      ).map(f => f.where)
    }
    expect(where('3.12')).toEqual(['more.txt:2'])
    expect(where('3.13')).toEqual(['more.txt:1'])
  })

  it('a constraint pinning a version the index does not have says so, not "loosen"', () => {
    const parsed = parse(
      { '/project/requirements.txt': 'alpha\n', '/project/c.txt': 'alpha==9.9\n' },
      ['/project/c.txt']
    )
    const output = [
      'ERROR: Cannot install alpha because these package versions have conflicting dependencies.',
      '',
      'The conflict is caused by:',
      '    The user requested alpha',
      '    The user requested (constraint) alpha==9.9',
      '',
      'Additionally, some packages in these conflicts have no matching distributions available for your environment:',
      '    alpha',
      '',
      'To fix this you could try to:',
      "1. loosen the range of package versions you've specified",
      '2. remove package versions to allow pip to attempt to solve the dependency conflict',
      '',
      'ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts'
    ].join('\n')
    const found = summary(
      findingsFromPipFailure(output, { parsed, workspace: '/project' }, 'Install', 1)
    )
    expect(found.map(f => f.where)).toEqual(['requirements.txt:1', 'c.txt:1'])
    for (const f of found) {
      expect(f.message).toMatch(/the index has no distribution of alpha that matches it/)
      expect(f.message).not.toMatch(/Loosen/)
    }
  })
})
