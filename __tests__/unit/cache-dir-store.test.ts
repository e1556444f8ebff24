import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { dirStore } from '../../src/cache/archive.js'
import {
  dropEndOfArchive,
  END_OF_ARCHIVE,
  indexTrailer,
  joinRanges,
  MAX_PARTS,
  partRanges as rangesOf,
  splitEntries
} from '../../src/cache/parts.js'

/** The parts' ranges of the archive at `file` (parts.ts reads an archive it holds open). */
function partRanges(file: string) {
  const fd = fs.openSync(file, 'r')
  try {
    return rangesOf(fd)
  } finally {
    fs.closeSync(fd)
  }
}

describe.skipIf(process.platform === 'win32')('a cache-dir store', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-store-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  function saved(key: string, content: string) {
    const store = dirStore(path.join(dir, 'cache'), false)
    const pip = path.join(dir, 'home', 'pip')
    fs.mkdirSync(pip, { recursive: true })
    fs.writeFileSync(path.join(pip, 'entry'), content)
    return { store, pip, save: () => store.save(pip, key) }
  }

  it('restores into the directory it started with: its identity stays', async () => {
    const { store, pip, save } = saved('pip-k', 'one')
    await save()
    fs.rmSync(pip, { recursive: true })
    fs.mkdirSync(pip)
    const before = fs.statSync(pip).ino
    const result = await store.restore(pip, 'pip-k')
    expect(result).toEqual({ key: 'pip-k', entries: ['entry'] })
    expect(fs.statSync(pip).ino).toBe(before)
    expect(fs.readFileSync(path.join(pip, 'entry'), 'utf8')).toBe('one')
  })

  it('keeps no archive of a directory that changed while it was archived', async () => {
    const { store, pip } = saved('pip-k', 'one')
    let asked = 0
    expect(
      await store.save(pip, 'pip-k', () => {
        asked++
        return false
      })
    ).toBe(false)
    expect(asked).toBe(1)
    expect(fs.readdirSync(path.join(dir, 'cache'))).toEqual([])
    expect(await store.save(pip, 'pip-k', () => true)).toBe(true)
    expect(fs.readdirSync(path.join(dir, 'cache'))).toEqual(['pip-k.tar'])
  })

  it('leaves a directory another job filled meanwhile as that job made it', async () => {
    const { store, pip, save } = saved('pip-k', 'one')
    await save()
    // Another job sharing HOME restored (or wrote) pip's cache a moment before.
    fs.writeFileSync(path.join(pip, 'entry'), 'the other job')
    const result = await store.restore(pip, 'pip-k')
    expect(result?.key).toBe('pip-k')
    expect(result?.entries).toBeUndefined()
    expect(fs.readFileSync(path.join(pip, 'entry'), 'utf8')).toBe('the other job')
    expect(fs.readdirSync(path.dirname(pip))).toEqual(['pip'])
  })

  it.skipIf(process.platform === 'win32')(
    'refuses an archive that holds anything but files, directories and links (a FIFO)',
    async () => {
      const { store, pip, save } = saved('pip-k', 'one')
      fs.mkdirSync(path.join(pip, 'deep', 'er'), { recursive: true })
      execFileSync('mkfifo', [path.join(pip, 'deep', 'er', 'pipe')])
      await save()
      fs.rmSync(pip, { recursive: true })
      expect(await store.restore(pip, 'pip-k')).toBeUndefined()
      expect(fs.existsSync(pip)).toBe(false)
    }
  )

  it("restores an earlier version's .tar.zst and .tar.gz whole, and a save leaves only its .tar", async () => {
    const { store, pip } = saved('pip-k', 'one')
    const zstd = spawnSync('zstd', ['--version']).status === 0
    const formats = zstd ? ['.tar.zst', '.tar.gz'] : ['.tar.gz']
    if (!zstd) console.warn('an earlier .tar.zst not restored here: no zstd on PATH')
    const cache = path.join(dir, 'cache')
    fs.mkdirSync(cache)
    for (const format of formats) {
      const archive = path.join(cache, `pip-k${format}`)
      execFileSync('tar', ['-c', '-a', '-f', archive, '-C', path.dirname(pip), 'pip'])
      fs.rmSync(pip, { recursive: true })
      expect(await dirStore(cache, zstd).restore(pip, 'pip-k')).toEqual({
        key: 'pip-k',
        entries: ['entry']
      })
      expect(fs.readFileSync(path.join(pip, 'entry'), 'utf8')).toBe('one')
      fs.renameSync(archive, `${archive}.aside`)
    }
    for (const format of formats)
      fs.renameSync(path.join(cache, `pip-k${format}.aside`), path.join(cache, `pip-k${format}`))
    expect(await store.save(pip, 'pip-k')).toBe(true)
    expect(fs.readdirSync(cache)).toEqual(['pip-k.tar'])
  })

  it('refuses a .tar that does not end with its index: cut short, or not written whole', async () => {
    const { store, pip, save } = saved('pip-k', 'one')
    await save()
    const archive = path.join(dir, 'cache', 'pip-k.tar')
    const whole = fs.readFileSync(archive)
    for (const cut of [whole.subarray(0, 1000), whole.subarray(0, whole.length - 1)]) {
      fs.writeFileSync(archive, cut)
      fs.rmSync(pip, { recursive: true, force: true })
      expect(await store.restore(pip, 'pip-k')).toBeUndefined()
      expect(fs.existsSync(pip)).toBe(false)
    }
    // A whole tar, as another tool writes it, without the index.
    fs.mkdirSync(pip)
    fs.writeFileSync(path.join(pip, 'entry'), 'two')
    execFileSync('tar', ['-c', '-f', archive, '-C', path.dirname(pip), 'pip'])
    fs.rmSync(pip, { recursive: true })
    expect(await store.restore(pip, 'pip-k')).toBeUndefined()
    expect(fs.existsSync(pip)).toBe(false)
    // Compressed data with a true index: tar runs no decompressor it was not told of.
    fs.mkdirSync(pip)
    fs.writeFileSync(path.join(pip, 'entry'), 'three')
    execFileSync('tar', ['-c', '-z', '-f', archive, '-C', path.dirname(pip), 'pip'])
    fs.appendFileSync(archive, indexTrailer([fs.statSync(archive).size]))
    fs.rmSync(pip, { recursive: true })
    expect(await store.restore(pip, 'pip-k')).toBeUndefined()
    expect(fs.existsSync(pip)).toBe(false)
  })
})

describe.skipIf(process.platform === 'win32')('a cache-dir archive in parts', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-parts-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  /** A venv-like tree: many directories and files, a link, a hard link, odd modes and names. */
  function tree(root: string): void {
    for (let d = 0; d < 12; d++) {
      const sub = path.join(root, 'lib', `pkg${d}`, '__pycache__')
      fs.mkdirSync(sub, { recursive: true })
      for (let f = 0; f < 5; f++) {
        fs.writeFileSync(path.join(root, 'lib', `pkg${d}`, `m${f}.py`), `x = ${d * 10 + f}\n`)
        fs.writeFileSync(path.join(sub, `m${f}.pyc`), Buffer.alloc(512 * f))
      }
    }
    fs.mkdirSync(path.join(root, 'bin'))
    fs.writeFileSync(path.join(root, 'bin', 'tool'), '#!/bin/sh\n', { mode: 0o755 })
    fs.symlinkSync('tool', path.join(root, 'bin', 'tool-link'))
    fs.linkSync(path.join(root, 'bin', 'tool'), path.join(root, 'lib', 'zz-hard-link'))
    fs.mkdirSync(path.join(root, 'include', 'empty'), { recursive: true })
    fs.writeFileSync(path.join(root, '-dash'), 'a name that reads as an option')
    // Last in the walk, in the last part, but its hard links go first: its mode must survive.
    fs.mkdirSync(path.join(root, 'zz'))
    fs.writeFileSync(path.join(root, 'zz', 'a'), 'linked')
    fs.linkSync(path.join(root, 'zz', 'a'), path.join(root, 'zz', 'b'))
    fs.chmodSync(path.join(root, 'zz'), 0o700)
  }

  /** Every entry's path, relative, with `/`. */
  const walked = (root: string): string[] =>
    fs
      .readdirSync(root, { recursive: true, encoding: 'utf8' })
      .map(name => name.split(path.sep).join('/'))
      .sort()

  /** Every entry's path, kind, mode, size, link target and content. */
  function describeTree(root: string): string[] {
    return fs
      .readdirSync(root, { recursive: true, withFileTypes: true })
      .map(entry => {
        const full = path.join(entry.parentPath, entry.name)
        const stat = fs.lstatSync(full)
        const content = entry.isFile()
          ? fs.readFileSync(full, 'base64')
          : entry.isSymbolicLink()
            ? fs.readlinkSync(full)
            : ''
        return `${path.relative(root, full)} ${stat.mode.toString(8)} ${stat.size} ${content}`
      })
      .sort()
  }

  /** Where the program `name` is on this machine's PATH. */
  const realProgram = (name: string): string =>
    spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim()

  /**
   * Runs `work` with stand-ins first on PATH (`alone`: only them): `name: body`, a script, or
   * `name: null`, a link to the real program. Returns what the store said meanwhile.
   */
  async function withStandIns(
    programs: Record<string, string | null>,
    work: () => Promise<void>,
    { alone = false } = {}
  ): Promise<string> {
    const bin = path.join(dir, 'bin')
    fs.mkdirSync(bin, { recursive: true })
    for (const [name, body] of Object.entries(programs)) {
      const file = path.join(bin, name)
      if (body === null) fs.symlinkSync(realProgram(name), file)
      else fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 })
    }
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const path0 = process.env.PATH
    process.env.PATH = alone ? bin : `${bin}${path.delimiter}${path0}`
    try {
      await work()
      return out.mock.calls.map(call => String(call[0])).join('')
    } finally {
      process.env.PATH = path0
      out.mockRestore()
      fs.rmSync(bin, { recursive: true })
    }
  }

  it('saves one ordinary tar that unpacks in parts to the very same tree', async () => {
    const venv = path.join(dir, 'ws', '-venv')
    tree(venv)
    const store = dirStore(path.join(dir, 'cache'), true)
    expect(await store.save(venv, 'k')).toBe(true)
    const archive = path.join(dir, 'cache', 'k.tar')
    expect(fs.readdirSync(path.join(dir, 'cache'))).toEqual(['k.tar'])
    expect(partRanges(archive)?.length).toBe(4)
    // Any tar reads it whole: the parts are one tar, the index after its end is never read.
    const whole = path.join(dir, 'whole')
    fs.mkdirSync(whole)
    const read = spawnSync('tar', ['-x', '-f', archive, '-C', whole], { encoding: 'utf8' })
    expect(read.status, read.stderr).toBe(0)
    expect(read.stderr).toBe('')
    expect(describeTree(path.join(whole, '-venv'))).toEqual(describeTree(venv))

    const restored = path.join(dir, 'job2', '-venv')
    const result = await store.restore(restored, 'k')
    expect(result?.key).toBe('k')
    expect(describeTree(restored)).toEqual(describeTree(venv))
    // It lists what it put there, each directory before what it holds: no walk needed after.
    const entries = result?.entries ?? []
    expect([...new Set(entries)].sort()).toEqual(walked(restored))
    for (const [i, entry] of entries.entries())
      if (entry.includes('/')) expect(entries.indexOf(path.posix.dirname(entry))).toBeLessThan(i)
    expect(fs.lstatSync(path.join(restored, 'lib', 'zz-hard-link')).nlink).toBe(2)
  })

  it.runIf(process.platform === 'linux')(
    'unpacks in parts by copies where no dd is on PATH, and whole where dd fails',
    async () => {
      const venv = path.join(dir, 'ws', '.venv')
      tree(venv)
      const store = dirStore(path.join(dir, 'cache'), true)
      await store.save(venv, 'k')
      const copied = path.join(dir, 'job2', '.venv')
      const inParts = await withStandIns(
        { tar: null },
        async () => {
          expect((await store.restore(copied, 'k'))?.key).toBe('k')
        },
        { alone: true }
      )
      expect(describeTree(copied)).toEqual(describeTree(venv))
      expect(inParts).not.toContain('did not unpack in parts')
      // A dd that exits with an error after all: its output is not trusted.
      const whole = path.join(dir, 'job3', '.venv')
      const said = await withStandIns(
        { tar: null, dd: `${realProgram('dd')} "$@"\nexit 1` },
        async () => {
          expect((await store.restore(whole, 'k'))?.key).toBe('k')
        },
        { alone: true }
      )
      expect(describeTree(whole)).toEqual(describeTree(venv))
      expect(said).toContain('did not unpack in parts (dd exited with 1')
    }
  )

  it.runIf(process.platform === 'linux')(
    'reads the archive it opened, though another job renames a new one over it meanwhile',
    async () => {
      const save = async (content: string, cache: string) => {
        const venv = path.join(dir, content, '.venv')
        for (let i = 0; i < 200; i++) {
          fs.mkdirSync(path.join(venv, `d${i}`), { recursive: true })
          fs.writeFileSync(path.join(venv, `d${i}`, 'f'), content)
        }
        await dirStore(cache, true).save(venv, 'k')
        return path.join(cache, 'k.tar')
      }
      const archive = await save('A', path.join(dir, 'cache'))
      const newer = await save('B', path.join(dir, 'other'))
      // A dd that starts late: the rename lands between the archive's open and its readers.
      const target = path.join(dir, 'job', '.venv')
      await withStandIns({ dd: `sleep 0.5\nexec ${realProgram('dd')} "$@"` }, async () => {
        const restoring = dirStore(path.join(dir, 'cache'), true).restore(target, 'k')
        await new Promise(resolve => setTimeout(resolve, 200))
        fs.renameSync(newer, archive)
        expect((await restoring)?.key).toBe('k')
      })
      const contents = fs
        .readdirSync(target)
        .map(d => fs.readFileSync(path.join(target, d, 'f'), 'utf8'))
      expect(new Set(contents)).toEqual(new Set(['A']))
      expect(contents).toHaveLength(200)
    }
  )

  it('refuses to open a FIFO or a link put where an archive was listed', async () => {
    const cache = path.join(dir, 'cache')
    fs.mkdirSync(cache)
    execFileSync('mkfifo', [path.join(cache, 'k.tar')])
    const target = path.join(dir, 'job', '.venv')
    const store = dirStore(cache, true)
    // Listed as no regular file: never tried. Opened all the same, it is refused at once.
    expect(await store.restore(target, 'k')).toBeUndefined()
    fs.rmSync(path.join(cache, 'k.tar'))
    const venv = path.join(dir, 'ws', '.venv')
    tree(venv)
    await dirStore(path.join(dir, 'elsewhere'), true).save(venv, 'k')
    fs.symlinkSync(path.join(dir, 'elsewhere', 'k.tar'), path.join(cache, 'k.tar'))
    expect(await store.restore(target, 'k')).toBeUndefined()
    expect(fs.existsSync(target)).toBe(false)
  })

  it.runIf(process.platform === 'linux')(
    'archives whole, its index naming one part, where tar cannot write parts (BusyBox)',
    async () => {
      const venv = path.join(dir, 'ws', '.venv')
      tree(venv)
      const store = dirStore(path.join(dir, 'cache'), true)
      const restored = path.join(dir, 'job', '.venv')
      // BusyBox's tar knows no -T.
      const busyBox = `for a; do [ "$a" = -T ] && exit 1; done\nexec ${realProgram('tar')} "$@"`
      const said = await withStandIns({ tar: busyBox }, async () => {
        expect(await store.save(venv, 'k')).toBe(true)
        expect(fs.readdirSync(path.join(dir, 'cache'))).toEqual(['k.tar'])
        expect(partRanges(path.join(dir, 'cache', 'k.tar'))).toHaveLength(1)
        expect((await store.restore(restored, 'k'))?.key).toBe('k')
      })
      expect(describeTree(restored)).toEqual(describeTree(venv))
      expect(said).toContain('was not archived in parts (tar exited with 1')
    }
  )

  it('refuses an archive whose index names other sizes, or one of whose parts is broken, leaving nothing', async () => {
    const venv = path.join(dir, 'ws', '.venv')
    tree(venv)
    const store = dirStore(path.join(dir, 'cache'), true)
    await store.save(venv, 'k')
    const archive = path.join(dir, 'cache', 'k.tar')
    const ranges = partRanges(archive)!
    const bytes = fs.readFileSync(archive)
    const tarEnd = ranges[ranges.length - 1].end
    const index = indexTrailer([ranges[0].end + 1, tarEnd - ranges[0].end])
    fs.writeFileSync(archive, Buffer.concat([bytes.subarray(0, tarEnd), index]))
    expect(partRanges(archive)).toBeUndefined()
    const target = path.join(dir, 'job2', '.venv')
    expect(await store.restore(target, 'k')).toBeUndefined()
    expect(fs.readdirSync(path.dirname(target))).toEqual([])

    // A part that is broken fails in parts and whole.
    const broken = Buffer.from(bytes)
    broken.fill(7, ranges[1].start + 20, ranges[1].start + 200)
    fs.writeFileSync(archive, broken)
    expect(partRanges(archive)).toEqual(ranges)
    expect(await store.restore(target, 'k')).toBeUndefined()
    expect(fs.readdirSync(path.dirname(target))).toEqual([])
  })

  it('refuses an archive one of whose later parts holds a FIFO, and leaves nothing', async () => {
    const venv = path.join(dir, 'ws', '.venv')
    tree(venv)
    execFileSync('mkfifo', [path.join(venv, 'zz', 'pipe')])
    const store = dirStore(path.join(dir, 'cache'), true)
    expect(await store.save(venv, 'k')).toBe(true)
    expect(partRanges(path.join(dir, 'cache', 'k.tar'))?.length).toBe(4)
    const target = path.join(dir, 'job2', '.venv')
    expect(await store.restore(target, 'k')).toBeUndefined()
    expect(fs.readdirSync(path.dirname(target))).toEqual([])
  })

  it('never lets one part write through a link another part made', async () => {
    const outside = path.join(dir, 'outside')
    fs.mkdirSync(outside)
    // Part 0: .venv/x -> outside. Part 1: .venv/x/evil, as if x were a directory.
    const linkTree = path.join(dir, 'a')
    fs.mkdirSync(path.join(linkTree, '.venv'), { recursive: true })
    fs.symlinkSync(outside, path.join(linkTree, '.venv', 'x'))
    const fileTree = path.join(dir, 'b')
    fs.mkdirSync(path.join(fileTree, '.venv', 'x'), { recursive: true })
    fs.writeFileSync(path.join(fileTree, '.venv', 'x', 'evil'), 'written through the link')
    // Many files first, so that part 0 has made its link by the time part 1 reaches x/evil.
    fs.mkdirSync(path.join(fileTree, '.venv', 'a'))
    for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(fileTree, '.venv', 'a', `${i}`), '')
    const a = path.join(dir, 'a.tar')
    const b = path.join(dir, 'b.tar')
    execFileSync('tar', ['-c', '-b', '1', '-f', a, '-C', linkTree, '.venv'])
    execFileSync('tar', ['-c', '-b', '1', '-f', b, '-C', fileTree, '.venv/a', '.venv/x'])
    dropEndOfArchive(a)
    const sizes = [a, b].map(part => fs.statSync(part).size)
    fs.mkdirSync(path.join(dir, 'cache'))
    const archive = path.join(dir, 'cache', 'k.tar')
    fs.writeFileSync(
      archive,
      Buffer.concat([...[a, b].map(part => fs.readFileSync(part)), indexTrailer(sizes)])
    )
    expect(partRanges(archive)?.length).toBe(2)
    await dirStore(path.join(dir, 'cache'), true).restore(path.join(dir, 'job', '.venv'), 'k')
    expect(fs.readdirSync(outside)).toEqual([])
  })
})

describe('an archive in parts, piece by piece', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-parts-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('cuts the entries in runs, the root, hard-linked files and their directories first', () => {
    const root = path.join(dir, '.venv')
    fs.mkdirSync(path.join(root, 'a'), { recursive: true })
    fs.mkdirSync(path.join(root, 'b'))
    for (const f of ['1', '2']) {
      fs.writeFileSync(path.join(root, 'a', f), f)
      fs.writeFileSync(path.join(root, 'b', f), f)
    }
    fs.linkSync(path.join(root, 'b', '2'), path.join(root, 'b', '3'))
    fs.symlinkSync('a', path.join(root, 'link'))
    expect(splitEntries(root, 2)).toEqual([
      ['./.venv', './.venv/b', './.venv/b/2', './.venv/b/3', './.venv/a', './.venv/a/1'],
      ['./.venv/a/2', './.venv/b/1', './.venv/link']
    ])
    expect(splitEntries(path.join(dir, '.venv', 'a'), 8)).toEqual([['./a'], ['./a/1'], ['./a/2']])
  })

  it('cuts where the runs cost about as much to unpack: a large file weighs like many small ones', () => {
    const root = path.join(dir, 'v')
    fs.mkdirSync(root)
    for (const f of ['a', 'b', 'c', 'd', 'e', 'f']) fs.writeFileSync(path.join(root, f), f)
    fs.writeFileSync(path.join(root, 'g.so'), Buffer.alloc(6 * 24 * 1024))
    expect(splitEntries(root, 2)).toEqual([
      ['./v', './v/a', './v/b', './v/c', './v/d', './v/e', './v/f'],
      ['./v/g.so']
    ])
  })

  it('joins adjacent parts into one run per core', () => {
    const ranges = [0, 10, 25, 27, 40].map((start, i, all) => ({
      start,
      end: all[i + 1] ?? 50
    }))
    expect(joinRanges(ranges, 2)).toEqual([
      { start: 0, end: 25 },
      { start: 25, end: 50 }
    ])
    expect(joinRanges(ranges, 1)).toEqual([{ start: 0, end: 50 }])
    expect(joinRanges(ranges.slice(0, 2), 8)).toEqual(ranges.slice(0, 2))
  })

  it('reads an index only where it accounts for every byte before it', () => {
    const file = path.join(dir, 'archive')
    fs.writeFileSync(file, Buffer.concat([Buffer.from('abcde'), indexTrailer([3, 2])]))
    expect(partRanges(file)).toEqual([
      { start: 0, end: 3 },
      { start: 3, end: 5 }
    ])
    fs.writeFileSync(file, Buffer.concat([Buffer.from('abcdef'), indexTrailer([3, 2])]))
    expect(partRanges(file)).toBeUndefined()
    fs.appendFileSync(file, 'f')
    expect(partRanges(file)).toBeUndefined()
    fs.writeFileSync(file, 'no index at all')
    expect(partRanges(file)).toBeUndefined()
    fs.writeFileSync(file, 'x')
    expect(partRanges(file)).toBeUndefined()
    fs.writeFileSync(file, Buffer.concat([Buffer.from('abcde'), indexTrailer([-1, 6])]))
    expect(partRanges(file)).toBeUndefined()
    const lying = indexTrailer([3, 2])
    lying.writeUInt32LE(1 << 20, lying.length - 20)
    fs.writeFileSync(file, Buffer.concat([Buffer.from('abcde'), lying]))
    expect(partRanges(file)).toBeUndefined()
    // Each part starts a tar: more than venv-guard ever writes is refused.
    const many = Array.from({ length: MAX_PARTS + 1 }, () => 1)
    fs.writeFileSync(file, Buffer.concat([Buffer.alloc(many.length), indexTrailer(many)]))
    expect(partRanges(file)).toBeUndefined()
  })

  it('cuts the two zero blocks a tar ends with off a part, and refuses a part without them', () => {
    const part = path.join(dir, 'part')
    const data = Buffer.alloc(512, 1)
    fs.writeFileSync(part, Buffer.concat([data, Buffer.alloc(END_OF_ARCHIVE)]))
    dropEndOfArchive(part)
    expect(fs.readFileSync(part)).toEqual(data)
    for (const ending of [
      Buffer.concat([data, Buffer.alloc(512)]),
      Buffer.concat([data, Buffer.alloc(END_OF_ARCHIVE - 1), Buffer.alloc(1, 1)]),
      Buffer.alloc(100)
    ]) {
      fs.writeFileSync(part, ending)
      expect(() => dropEndOfArchive(part)).toThrow(/two zero blocks/)
      expect(fs.readFileSync(part)).toEqual(ending)
    }
  })
})
