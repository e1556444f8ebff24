import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  describeRun,
  errors,
  newRunner,
  runAction,
  type ActionRun,
  type Runner
} from '../helpers/action.js'
import { lacks } from '../helpers/pythons.js'
import { startIndex, type IndexServer } from '../helpers/index-server.js'
import { WHEELHOUSE } from '../helpers/paths.js'

/**
 * What a pull request, a later step or a hostile repository can put into the inputs and files
 * that venv-guard reads: none of it may reach the runner's command files or forge a workflow
 * command in the log, and no credential may be printed.
 */

// The text an injected command would carry; venv-guard's own errors may quote it, but never start with it.
const FORGED = /^forged/

function forged(run: ActionRun): string[] {
  return run.annotations.filter(a => FORGED.test(a.message)).map(a => a.message)
}

/** One `::error` saying what and how to fix, nothing added to PATH, nothing forged. */
function expectRefused(run: ActionRun, message: RegExp): void {
  expect(run.exitCode, describeRun(run)).toBe(1)
  expect(errors(run), describeRun(run)).toHaveLength(1)
  expect(errors(run)[0].message).toMatch(message)
  expect(run.addedPath).toEqual([])
  expect(forged(run), describeRun(run)).toEqual([])
}

describe.skipIf(lacks('3.12'))(
  'control characters in inputs that become paths or arguments',
  () => {
    it('venv-path with a newline: refused, no line added to GITHUB_PATH, no command forged', async () => {
      const runner = newRunner()
      const run = await runAction(runner, {
        inputs: { 'python-version': '3.12', 'venv-path': '.venv\n::warning::forged', upgrade: '' }
      })
      expectRefused(run, /'venv-path'.*control character/s)
      expect(fs.readdirSync(runner.workspace)).toEqual([])
    })

    it('working-directory with a newline: refused', async () => {
      const runner = newRunner()
      const dir = 'sub\n::warning::forged'
      fs.mkdirSync(path.join(runner.workspace, dir))
      const run = await runAction(runner, {
        inputs: { 'python-version': '3.12', 'working-directory': dir, upgrade: '' }
      })
      expectRefused(run, /'working-directory'.*control character/s)
      expect(fs.readdirSync(path.join(runner.workspace, dir))).toEqual([])
    })

    it('a file matched by a requirements glob with a newline in its name: refused, before pip runs', async () => {
      const runner = newRunner()
      fs.mkdirSync(path.join(runner.workspace, 'reqs'))
      fs.writeFileSync(path.join(runner.workspace, 'reqs', 'a.txt'), 'zeta\n')
      fs.writeFileSync(path.join(runner.workspace, 'reqs', 'b\n::warning::forged.txt'), 'zeta\n')
      const run = await runAction(runner, {
        inputs: { 'python-version': '3.12', requirements: 'reqs/*.txt', upgrade: '' }
      })
      expectRefused(run, /'requirements'.*control character/s)
      expect(fs.existsSync(path.join(runner.workspace, '.venv'))).toBe(false)
    })

    it('pip-args with a quoted newline: refused', async () => {
      const runner = newRunner()
      const run = await runAction(runner, {
        inputs: {
          'python-version': '3.12',
          packages: 'zeta',
          upgrade: '',
          'pip-args': '--no-color "--log=x\n::warning::forged"'
        }
      })
      expectRefused(run, /'pip-args'.*control character/s)
    })

    it('a requirement line that holds a legacy ##[warning] command forges nothing', async () => {
      const runner = newRunner()
      fs.writeFileSync(
        path.join(runner.workspace, 'requirements.txt'),
        'zeta\n./lib##[warning]forged\n'
      )
      const run = await runAction(runner, { inputs: { 'python-version': '3.12', upgrade: '' } })
      expect(run.exitCode, describeRun(run)).toBe(1)
      expect(forged(run), describeRun(run)).toEqual([])
      expect(run.addedPath).toEqual([])
    })
  }
)

describe.skipIf(lacks('3.12'))('credentials in index URLs, wherever they come from', () => {
  let index: IndexServer
  beforeAll(async () => {
    index = await startIndex(WHEELHOUSE)
  })
  afterAll(() => index.close())

  const online = { PIP_NO_INDEX: undefined, PIP_FIND_LINKS: undefined }

  /** The secret is registered with ::add-mask:: and appears nowhere else. */
  function expectMasked(run: ActionRun, secret: string): void {
    const lines = run.stdout.split('\n')
    expect(lines.indexOf(`::add-mask::${secret}`), describeRun(run)).toBeGreaterThanOrEqual(0)
    const clear = lines.filter(l => l.includes(secret) && l !== `::add-mask::${secret}`)
    expect(clear, describeRun(run)).toEqual([])
    expect(run.stderr + run.summary).not.toContain(secret)
  }

  it("an '@' in the user name (https://me@corp.example:TOKEN@host): the token is masked", async () => {
    index.auth = { user: 'me@corp.example', password: 'tok-at-in-user' }
    try {
      const url = index.url.replace('http://', 'http://me@corp.example:tok-at-in-user@')
      const run = await runAction(newRunner(), {
        inputs: { 'python-version': '3.12', packages: 'gamma', 'pip-args': `--index-url ${url}` },
        env: online
      })
      expect(run.exitCode, describeRun(run)).toBe(0)
      expectMasked(run, 'tok-at-in-user')
    } finally {
      index.auth = undefined
    }
  })

  it('an empty user name (https://:TOKEN@host): the token is masked', async () => {
    const url = index.url.replace('http://', 'http://:tok-no-user@')
    const run = await runAction(newRunner(), {
      inputs: { 'python-version': '3.12', packages: 'gamma', 'pip-args': `--index-url ${url}` },
      env: online
    })
    expect(run.exitCode, describeRun(run)).toBe(0)
    expectMasked(run, 'tok-no-user')
  })

  it('PIP_INDEX_URL, PIP_EXTRA_INDEX_URL and a pip configuration file: every token is masked', async () => {
    const runner = newRunner()
    const config = path.join(runner.home, 'pip.conf')
    fs.writeFileSync(
      config,
      `[global]\nextra-index-url = ${index.url.replace('http://', 'http://cfg:tok-from-config@')}\n`
    )
    const run = await runAction(runner, {
      inputs: { 'python-version': '3.12', packages: 'gamma' },
      env: {
        ...online,
        PIP_CONFIG_FILE: config,
        PIP_INDEX_URL: index.url.replace('http://', 'http://env:tok-from-env@'),
        PIP_EXTRA_INDEX_URL: index.url.replace('http://', 'http://me@x:tok-from-extra@')
      }
    })
    expect(run.exitCode, describeRun(run)).toBe(0)
    for (const secret of ['tok-from-env', 'tok-from-extra', 'tok-from-config'])
      expectMasked(run, secret)
  })

  it('a requirements file with an @ in the user name: masked in the log, annotations and summary', async () => {
    const runner = newRunner()
    const url = index.url.replace('http://', 'http://me@corp.example:tok-in-file@')
    fs.writeFileSync(
      path.join(runner.workspace, 'requirements.txt'),
      `--index-url ${url}\nno-such-package\n`
    )
    const run = await runAction(runner, {
      inputs: { 'python-version': '3.12', 'pip-args': '--retries 0 --timeout 2' },
      env: online
    })
    expect(run.exitCode, describeRun(run)).toBe(1)
    expectMasked(run, 'tok-in-file')
  })
})

describe.skipIf(lacks('3.12'))('globs never match inside a venv or .git', () => {
  function write(runner: Runner, files: Record<string, string>): void {
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(runner.workspace, file)), { recursive: true })
      fs.writeFileSync(path.join(runner.workspace, file), content)
    }
  }

  it("'**/*.txt' skips .git, another venv and venv-path, so a second run is up to date", async () => {
    const runner = newRunner()
    write(runner, {
      'requirements.txt': 'zeta\n',
      'requirements/dev.txt': 'alpha\n',
      '.git/info/notes.txt': 'this is not a requirement !\n',
      'tools-env/pyvenv.cfg': 'home = /nowhere\n',
      'tools-env/lib/AUTHORS.txt': 'Jane Doe <jane@example.com>\n'
    })
    const inputs = {
      'python-version': '3.12',
      requirements: '**/*.txt',
      'cache-dependency-path': '**/*.txt',
      cache: 'false',
      upgrade: 'pip'
    }
    const first = await runAction(runner, { inputs })
    expect(first.exitCode, describeRun(first)).toBe(0)
    expect(fs.existsSync(path.join(runner.workspace, '.venv', 'pyvenv.cfg'))).toBe(true)
    const second = await runAction(runner, { inputs })
    expect(second.exitCode, describeRun(second)).toBe(0)
    expect(second.stdout).toContain('same interpreter, same requirements, nothing to install')
  })
})
