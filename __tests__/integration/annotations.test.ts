import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeRun, errors, newRunner, runAction, type Runner } from '../helpers/action.js'
import { lacks } from '../helpers/pythons.js'

function write(runner: Runner, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(runner.workspace, file)), { recursive: true })
    fs.writeFileSync(path.join(runner.workspace, file), content)
  }
}

/** file:line of each annotation of a level, as the runner would place it. */
function places(run: Awaited<ReturnType<typeof runAction>>, level: 'error' | 'warning'): string[] {
  return run.annotations
    .filter(a => a.level === level)
    .map(a => `${a.properties.file}:${a.properties.line}`)
}

describe.skipIf(lacks('3.12', '3.13'))('annotations on the requirement line', () => {
  it('a missing package on line 3 of an included file: that file and line, and a summary', async () => {
    const runner = newRunner()
    write(runner, {
      'requirements.txt': 'alpha\n-r requirements/dev.txt\n',
      'requirements/dev.txt': '# dev tools\nbeta\nnonexistent-package==1.0\n'
    })
    const run = await runAction(runner, { inputs: { 'python-version': '3.12' } })
    expect(run.exitCode, describeRun(run)).toBe(1)
    expect(errors(run), describeRun(run)).toEqual([
      {
        level: 'error',
        message: expect.stringMatching(
          /^No version of nonexistent-package==1\.0 matches/
        ) as string,
        properties: {
          title: 'venv-guard: no matching distribution',
          file: 'requirements/dev.txt',
          line: '3'
        }
      }
    ])
    expect(run.summary).toContain('[!CAUTION]')
    expect(run.summary).toContain(
      '| ❌ | `requirements/dev.txt:3` | No version of nonexistent-package==1.0'
    )
  })

  it('a conflict annotates both lines, each with what it conflicts with', async () => {
    const runner = newRunner()
    write(runner, {
      'requirements.txt': '-r requirements/base.txt\nneeds-old-beta==1.0.0\n',
      'requirements/base.txt': 'zeta\nalpha==2.0.0\n'
    })
    const run = await runAction(runner, { inputs: { 'python-version': '3.13' } })
    expect(run.exitCode, describeRun(run)).toBe(1)
    expect(places(run, 'error').sort(), describeRun(run)).toEqual([
      'requirements.txt:2',
      'requirements/base.txt:2'
    ])
    const byFile = Object.fromEntries(errors(run).map(a => [a.properties.file, a.message]))
    expect(byFile['requirements/base.txt']).toMatch(
      /^alpha 2\.0\.0 depends on beta>=2, which conflicts with needs-old-beta 1\.0\.0, which depends on beta<2 \(requirements\.txt:2\)/
    )
    expect(byFile['requirements.txt']).toMatch(/\(requirements\/base\.txt:2\)/)
  })

  it.each([
    ['3.12', 'requirements/more.txt:3'],
    ['3.13', 'requirements/more.txt:2']
  ] as const)(
    'the same name on two lines with opposite markers, on Python %s: the line pip took',
    async (version, place) => {
      const runner = newRunner()
      // As mypy's typing_extensions lines; pip prints the specifiers sorted (beta<10,>=9), so only
      // the marker tells the lines apart.
      write(runner, {
        'requirements.txt': 'alpha==1.0.0\n-r requirements/more.txt\n',
        'requirements/more.txt':
          '# beta, by Python version\nbeta>=9.5,<10; python_version >= "3.13"\nbeta>=9,<10 ; python_version < "3.13"\n'
      })
      const run = await runAction(runner, { inputs: { 'python-version': version } })
      expect(run.exitCode, describeRun(run)).toBe(1)
      expect(places(run, 'error'), describeRun(run)).toEqual([place])
      expect(errors(run)[0].message).toMatch(/^No version of beta<10,>=9(\.5)? matches/)
    }
  )

  it('an invalid line is reported with its file and line before pip runs', async () => {
    const runner = newRunner()
    write(runner, { 'requirements.txt': 'alpha\n-r more.txt\n', 'more.txt': 'zeta\nfoo bar\n' })
    const run = await runAction(runner, { inputs: { 'python-version': '3.12' } })
    expect(run.exitCode, describeRun(run)).toBe(1)
    expect(errors(run)).toEqual([
      {
        level: 'error',
        message: expect.stringMatching(/^"foo bar" is not a valid requirement/) as string,
        properties: { title: 'venv-guard: invalid requirement', file: 'more.txt', line: '2' }
      }
    ])
    expect(run.stdout).not.toContain('::group::')
    expect(fs.existsSync(path.join(runner.workspace, '.venv'))).toBe(false)
  })
})

describe.skipIf(lacks('3.12', '3.13'))('after a successful install', () => {
  it('writes a summary with the table, and warns of broken dependencies found by pip check', async () => {
    const runner = newRunner()
    write(runner, { 'requirements.txt': 'alpha==1.0.0\nbeta\ngamma\n' })
    // --no-deps leaves gamma without delta: a broken dependency pip check reports. (It may leave an
    // upgraded tool without its own dependency too, e.g. wheel 0.46+ without packaging: no line.)
    const run = await runAction(runner, {
      inputs: { 'python-version': '3.12', 'pip-args': '--no-deps' }
    })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expect(errors(run)).toEqual([])
    expect(
      run.annotations.filter(a => a.level === 'warning' && a.properties.file !== undefined)
    ).toEqual([
      {
        level: 'warning',
        message: expect.stringMatching(
          /^gamma 0\.3\.0 requires delta, which is not installed \(pip check\)/
        ) as string,
        properties: {
          title: 'venv-guard: broken dependency',
          file: 'requirements.txt',
          line: '3'
        }
      }
    ])
    expect(run.summary).toContain('**venv** `')
    expect(run.summary).toMatch(/: new \(/)
    expect(run.summary).toMatch(/\| pip \| — \| [\d.]+ \|/)
    expect(run.summary).toContain('| alpha | 1.0.0 | requirements.txt:1 |')
    expect(run.summary).toContain('| beta | 2.0.0 | requirements.txt:2 |')
    expect(run.summary).toContain('| gamma | 0.3.0 | requirements.txt:3 |')
    expect(run.summary).toMatch(/\| pip \| [\d.]+ \| upgrade \|/)
    expect(run.summary).toContain('| ⚠️ | `requirements.txt:3` | gamma 0.3.0 requires delta')
  })
})
