import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { isPylockFile, pylockFailures, readPylock, type PylockFile } from '../../src/pip/pylock.js'
import { MIRROR_PIP, NO_MIRROR } from '../helpers/mirror.js'
import { WHEELHOUSE } from '../helpers/paths.js'

describe('lock file names', () => {
  it('are pip’s: pylock.toml and pylock.NAME.toml', () => {
    expect(isPylockFile('pylock.toml')).toBe(true)
    expect(isPylockFile(path.join('locks', 'pylock.dev.toml'))).toBe(true)
    expect(isPylockFile('pylock.a.b.toml')).toBe(false)
    expect(isPylockFile('my-pylock.toml')).toBe(false)
    expect(isPylockFile('requirements.toml')).toBe(false)
  })
})

const LOCK = `lock-version = "1.0"
created-by = "pip"

[[packages]]
name = "Alpha"
version = "1.0.0"

[[packages.wheels]]
name = "alpha-1.0.0-py3-none-any.whl"
url = "file:///wh/alpha-1.0.0-py3-none-any.whl"

[[packages]]
version = "2.0.0"
name = "beta"
`

function lock(text: string, file = path.resolve('/p/pylock.toml')): PylockFile {
  const read = readPylock(file, Buffer.from(text))
  if (!('doc' in read)) throw new Error(read.message)
  return read
}

describe('lock file packages', () => {
  it('are entries on the line of their name', () => {
    expect(lock(LOCK).entries.map(e => [e.name, e.text, e.line])).toEqual([
      ['alpha', 'Alpha==1.0.0', 5],
      ['beta', 'beta==2.0.0', 14]
    ])
  })

  it('a syntax error is a problem on its line', () => {
    expect(
      readPylock('/p/pylock.toml', Buffer.from('lock-version = "1.0"\n[[packages]\n'))
    ).toMatchObject({
      line: 2,
      message: expect.stringMatching(/is not valid TOML/)
    })
  })

  it('maps pip’s paths, package names and top-level complaints to lines', () => {
    const locks = [
      lock(`lock-version = "2.0"\nrequires-python = ">=9"\n${LOCK.split('\n').slice(2).join('\n')}`)
    ]
    const output = [
      "ERROR: Invalid pylock file '/p/pylock.toml': Invalid version: 'x' in 'packages[1].version'",
      "ERROR: Invalid pylock file '/p/pylock.toml': Missing required value in 'packages[0].wheels[0].hashes'",
      "ERROR: Invalid pylock file '/p/pylock.toml': pylock version 2.0 is not supported",
      "ERROR: Cannot select requirements from pylock file '/p/pylock.toml': python_full_version '3.12.1' in provided environment does not satisfy the Python version requirement '>=9'",
      "ERROR: Cannot select requirements from pylock file '/p/pylock.toml': No wheel found matching the provided tags for package 'beta' at packages[1], and no sdist available as a fallback",
      "ERROR: Could not install locked package 'alpha' from '/p/pylock.toml': invalid wheel filename",
      'ERROR: The requirement beta==2.0.0 is not compatible with version 9.9 specified in a provided lock file',
      "ERROR: Invalid pylock file '/elsewhere/pylock.toml': pylock version 2.0 is not supported"
    ].join('\n')
    expect(pylockFailures(output, locks, '/p').map(f => f.line)).toEqual([13, 8, 1, 2, 14, 5, 14])
  })
})

/** pip 26 from the mirror, run from its wheel, offline against the test wheelhouse. */
function pip(cwd: string, ...args: string[]): { status: number; output: string } {
  const result = spawnSync('python3', [path.join(MIRROR_PIP!, 'pip'), ...args], {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      PIP_CONFIG_FILE: os.devNull,
      PIP_NO_INDEX: '1',
      PIP_FIND_LINKS: WHEELHOUSE,
      PIP_DISABLE_PIP_VERSION_CHECK: '1'
    }
  })
  return { status: result.status ?? -1, output: `${result.stdout}\n${result.stderr}` }
}

describe.skipIf(!MIRROR_PIP)('lock files made and refused by pip 26', () => {
  let dir: string
  let made: string

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pylock-'))
    const locked = pip(dir, 'lock', 'alpha==1.0.0', 'gamma', '-o', 'pylock.toml')
    expect(locked.status, locked.output).toBe(0)
    made = fs.readFileSync(path.join(dir, 'pylock.toml'), 'utf8')
  })

  function failing(
    name: string,
    text: string
  ): { failures: ReturnType<typeof pylockFailures>; lines: string[] } {
    const file = path.join(dir, `pylock.${name}.toml`)
    fs.writeFileSync(file, text)
    const result = pip(dir, 'install', '--dry-run', '--ignore-installed', '-r', file)
    expect(result.status).not.toBe(0)
    return {
      failures: pylockFailures(result.output, [lock(text, file)], dir),
      lines: text.split('\n')
    }
  }

  it('reads every package pip locked, in order', () => {
    expect(lock(made).entries.map(e => e.text)).toEqual([
      'alpha==1.0.0',
      'beta==2.0.0',
      'delta==1.1.0',
      'gamma==0.3.0'
    ])
  })

  it('puts a package whose wheel does not fit on that package', () => {
    const text = made.replace(/delta-1\.1\.0-py3-none-any\.whl/g, 'delta-1.1.0-py2-none-any.whl')
    const { failures, lines } = failing('tags', text)
    expect(failures).toHaveLength(1)
    expect(lines[failures[0].line - 1]).toBe('name = "delta"')
  })

  it('puts a version pip refuses on the version', () => {
    const { failures, lines } = failing(
      'version',
      made.replace('version = "1.1.0"', 'version = "one"')
    )
    expect(lines[failures[0].line - 1]).toBe('version = "one"')
  })

  it('puts an unsupported lock version on lock-version', () => {
    const { failures, lines } = failing(
      'v2',
      made.replace('lock-version = "1.0"', 'lock-version = "2.0"')
    )
    expect(lines[failures[0].line - 1]).toBe('lock-version = "2.0"')
  })
})

if (!MIRROR_PIP) console.log(NO_MIRROR)
