import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { dirStore } from '../../src/cache/archive.js'
import { foreignEntries, pipCacheProblem } from '../../src/cache/pip-cache-dir.js'
import {
  currentVenvContent,
  dropUnlistedBytecode,
  recordVenvContent,
  stampRestore,
  treeDigest
} from '../../src/cache/snapshot.js'

/** A small venv-like tree: a module, its bytecode, a script, and a symbolic link as venvs have. */
function tree(): string {
  const venv = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-content-'))
  const pkg = path.join(venv, 'lib', 'site-packages', 'pkg')
  fs.mkdirSync(path.join(pkg, '__pycache__'), { recursive: true })
  fs.writeFileSync(path.join(pkg, '__init__.py'), 'X = 1\n')
  fs.writeFileSync(path.join(pkg, '__pycache__', '__init__.cpython-312.pyc'), 'bytecode')
  fs.mkdirSync(path.join(venv, 'bin'))
  fs.writeFileSync(path.join(venv, 'bin', 'tool'), '#!/venv/bin/python\n', { mode: 0o755 })
  fs.symlinkSync('lib', path.join(venv, 'lib64'))
  return venv
}

describe('venv content', () => {
  const bytecodeList = (venv: string): unknown =>
    JSON.parse(fs.readFileSync(path.join(venv, 'venv-guard-bytecode.json'), 'utf8'))

  it('lists the bytecode, without following links', () => {
    const venv = tree()
    recordVenvContent(venv)
    expect(bytecodeList(venv)).toEqual([
      'lib/site-packages/pkg/__pycache__/__init__.cpython-312.pyc'
    ])
  })

  it('changes with any content, bytecode included, even when size and time stay', () => {
    const venv = tree()
    const before = recordVenvContent(venv)
    expect(currentVenvContent(venv)).toBe(before)
    const pyc = path.join(venv, 'lib/site-packages/pkg/__pycache__/__init__.cpython-312.pyc')
    const { atime, mtime } = fs.statSync(pyc)
    fs.writeFileSync(pyc, 'evilcode')
    fs.utimesSync(pyc, atime, mtime)
    expect(currentVenvContent(venv)).not.toBe(before)
  })

  it('changes with a module edited in place, a mode, a link or a new file outside __pycache__', () => {
    const edits: ((venv: string) => void)[] = [
      venv => fs.writeFileSync(path.join(venv, 'lib/site-packages/pkg/__init__.py'), 'X = 2\n'),
      venv => fs.chmodSync(path.join(venv, 'bin', 'tool'), 0o777),
      venv => {
        fs.rmSync(path.join(venv, 'lib64'))
        fs.symlinkSync('/elsewhere', path.join(venv, 'lib64'))
      },
      venv => fs.writeFileSync(path.join(venv, 'lib/site-packages/evil.pth'), 'import os\n'),
      venv => fs.mkdirSync(path.join(venv, 'lib/site-packages/newpkg')),
      venv =>
        fs.rmSync(path.join(venv, 'lib/site-packages/pkg/__pycache__/__init__.cpython-312.pyc'))
    ]
    for (const edit of edits) {
      const venv = tree()
      const before = recordVenvContent(venv)
      edit(venv)
      expect(currentVenvContent(venv)).not.toBe(before)
    }
  })

  it.each([
    ['by a walk', false],
    ['from the listing a cache-dir restore made', true]
  ])('ignores bytecode added later, which a restore then removes (%s)', async (_, listed) => {
    let venv = tree()
    const before = recordVenvContent(venv)
    const cache = path.join(venv, 'lib/site-packages/pkg/__pycache__')
    fs.writeFileSync(path.join(cache, '__init__.cpython-312.opt-1.pyc'), 'evil')
    fs.mkdirSync(path.join(cache, 'sub'))
    fs.writeFileSync(path.join(cache, 'sub', 'x.pyc'), 'evil')
    fs.mkdirSync(path.join(venv, 'bin', '__pycache__'))
    fs.writeFileSync(path.join(venv, 'bin', '__pycache__', 'tool.cpython-312.pyc'), 'evil')
    fs.symlinkSync('/nowhere', path.join(cache, 'dangling.pyc'))
    expect(currentVenvContent(venv)).toBe(before)

    let entries: readonly string[] | undefined
    if (listed) {
      const store = dirStore(`${venv}-cache`, false)
      expect(await store.save(venv, 'k')).toBe(true)
      venv = path.join(`${venv}-job2`, path.basename(venv))
      entries = (await store.restore(venv, 'k'))?.entries
      expect(entries).toContain('lib64')
    }
    expect(dropUnlistedBytecode(venv, entries)).toBe(4)
    const restoredCache = path.join(venv, 'lib/site-packages/pkg/__pycache__')
    expect(fs.readdirSync(restoredCache)).toEqual(['__init__.cpython-312.pyc'])
    expect(fs.readdirSync(path.join(venv, 'bin', '__pycache__'))).toEqual([])
    expect(currentVenvContent(venv)).toBe(before)
  })

  it('a restore without a list removes all bytecode', () => {
    const venv = tree()
    expect(dropUnlistedBytecode(venv)).toBe(1)
    expect(fs.readdirSync(path.join(venv, 'lib/site-packages/pkg/__pycache__'))).toEqual([])
  })
})

describe("main's content record", () => {
  const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))
  const init = (venv: string) => path.join(venv, 'lib/site-packages/pkg/__init__.py')

  it('is what the post step finds, until a later step changes the venv or the record', () => {
    const venv = tree()
    const digest = recordVenvContent(venv)
    expect(currentVenvContent(venv)).toBe(digest)
    const record = path.join(venv, 'venv-guard-content.json')
    fs.writeFileSync(record, fs.readFileSync(record, 'utf8').replace(/"size":6/, '"size":7'))
    expect(currentVenvContent(venv)).not.toBe(digest)
    recordVenvContent(venv)
    fs.writeFileSync(init(venv), 'X = 3\n')
    expect(currentVenvContent(venv)).not.toBe(digest)
  })

  it('after a restore, hashes only files changed since; a record that lies cannot pass the post step', async () => {
    const venv = tree()
    recordVenvContent(venv)
    await sleep(20)
    const restored = stampRestore(venv)!
    expect(fs.readdirSync(venv)).not.toContain('.venv-guard-restored')
    await sleep(20)
    fs.writeFileSync(init(venv), 'X = 2\n') // same size, changed after the restore
    const digest = recordVenvContent(venv, restored)
    expect(currentVenvContent(venv)).toBe(digest)

    // A record whose hash of an unchanged file is wrong is reused as it is: main's digest then
    // differs from what the post step hashes, and nothing is saved.
    const record = path.join(venv, 'venv-guard-content.json')
    const text = fs.readFileSync(record, 'utf8')
    const [, , tool] = (JSON.parse(text) as unknown[][]).find(line => line[1] === 'bin/tool')!
    const lie = text.replace((tool as { sha256: string }).sha256, '0'.repeat(64))
    fs.writeFileSync(record, lie)
    const later = recordVenvContent(venv, Date.now() + 1000)
    expect(fs.readFileSync(record, 'utf8')).toContain('0'.repeat(64))
    expect(currentVenvContent(venv)).not.toBe(later)
  })
})

describe("main's own files in a restored venv", () => {
  it('are written anew, never through a link the archive held', () => {
    const venv = tree()
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-outside-'))
    for (const name of ['venv-guard-content.json', 'venv-guard-bytecode.json']) {
      fs.writeFileSync(path.join(outside, name), 'not yours')
      fs.symlinkSync(path.join(outside, name), path.join(venv, name))
    }
    const digest = recordVenvContent(venv, Date.now())
    for (const name of ['venv-guard-content.json', 'venv-guard-bytecode.json']) {
      expect(fs.readFileSync(path.join(outside, name), 'utf8')).toBe('not yours')
      expect(fs.lstatSync(path.join(venv, name)).isFile()).toBe(true)
    }
    expect(currentVenvContent(venv)).toBe(digest)
  })

  it("a tool seed's digest covers every file, one named like a venv's record too", () => {
    const seed = tree()
    const before = treeDigest(seed)
    fs.writeFileSync(path.join(seed, 'venv-guard-content.json'), '[]')
    expect(treeDigest(seed)).not.toBe(before)
  })
})

describe("pip's cache tier", () => {
  it("accepts only pip's own entries", () => {
    expect(
      foreignEntries([
        { name: 'http-v2', kind: 'dir' },
        { name: 'http', kind: 'dir' },
        { name: 'wheels', kind: 'dir' },
        { name: 'selfcheck', kind: 'dir' },
        { name: 'selfcheck.json', kind: 'file' }
      ])
    ).toEqual([])
    expect(
      foreignEntries([
        { name: 'wheels', kind: 'other' },
        { name: '.git', kind: 'dir' },
        { name: 'http', kind: 'file' },
        { name: 'requirements.txt', kind: 'file' }
      ])
    ).toEqual(['.git', 'http', 'requirements.txt', 'wheels'])
  })

  it('names what is foreign, and is silent for an absent or clean directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-pipcache-'))
    expect(pipCacheProblem(path.join(dir, 'absent'))).toBeUndefined()
    fs.mkdirSync(path.join(dir, 'wheels'))
    expect(pipCacheProblem(dir)).toBeUndefined()
    fs.symlinkSync('/', path.join(dir, 'http-v2'))
    for (const name of ['.git', 'a', 'b', 'c']) fs.writeFileSync(path.join(dir, name), '')
    expect(pipCacheProblem(dir)).toBe(
      `Cache: pip's cache ${dir} holds .git, a, b, … (5 not pip's), so it is not cached: only a directory that holds pip's cache alone is archived. Give pip a --cache-dir of its own.`
    )
  })
})
