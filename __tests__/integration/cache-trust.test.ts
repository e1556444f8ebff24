import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hermeticEnv, runAction, type ActionRun, type Runner } from '../helpers/action.js'
import {
  archives,
  freshJob,
  installed,
  project,
  succeeded,
  venvWorks,
  warnings
} from '../helpers/cache-runs.js'
import { startCacheService, type FakeCacheService } from '../helpers/cache-service.js'
import { lacks, pythonOf } from '../helpers/pythons.js'

const PUSH = { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main' }
const PULL_REQUEST_TARGET = {
  GITHUB_EVENT_NAME: 'pull_request_target',
  GITHUB_REF: 'refs/heads/main'
}
const TAG = { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/tags/v1.0.0' }

const notices = (run: ActionRun): string[] =>
  run.annotations.filter(a => a.level === 'notice').map(a => a.message)

/** Names, inodes and times of a cache-dir's venv archives: a save (a rename into place) changes them. */
function stamps(dir: string): string {
  if (!fs.existsSync(dir)) return '[]'
  return JSON.stringify(
    fs
      .readdirSync(dir)
      .filter(name => name.includes('-venv-'))
      .sort()
      .map(name => {
        const stat = fs.lstatSync(path.join(dir, name))
        return [name, stat.ino, stat.mtimeMs]
      })
  )
}

/** One job on a runner: main, a later step, post; with whether post saved a venv to the cache-dir. */
async function job(
  runner: Runner,
  cacheDir: string,
  options: {
    inputs?: Record<string, string>
    env?: Record<string, string>
    later?: (main: ActionRun) => void
  } = {}
): Promise<{ main: ActionRun; post: ActionRun; saved: boolean }> {
  freshJob(runner)
  const env = options.env ?? PUSH
  const main = await runAction(runner, {
    inputs: { 'python-version': '3.12', 'cache-dir': cacheDir, ...options.inputs },
    env
  })
  succeeded(main)
  options.later?.(main)
  const before = stamps(cacheDir)
  const post = await runAction(runner, { entry: 'post', env })
  succeeded(post)
  return { main, post, saved: stamps(cacheDir) !== before }
}

describe.skipIf(lacks('3.12'))(
  'cache scopes: cache auto (the default), true, false; cache-save',
  () => {
    const runner = project()
    const cacheDir = path.join(runner.dir, 'cache')
    const offNotices = (run: ActionRun): string[] =>
      notices(run).filter(n => n.startsWith('Cache: off'))

    it('auto on a push to a branch restores and saves', async () => {
      const first = await job(runner, cacheDir)
      expect(first.main.outputs['cache-hit']).toBe('false')
      expect(first.saved).toBe(true)
      expect(offNotices(first.main)).toEqual([])
      const second = await job(runner, cacheDir)
      expect(second.main.outputs['cache-hit']).toBe('true')
      venvWorks(runner, second.main)
    })

    it('auto on pull_request_target neither restores nor saves, and says so in one notice', async () => {
      const run = await job(runner, cacheDir, { env: PULL_REQUEST_TARGET })
      expect(run.main.outputs['cache-hit']).toBe('false')
      expect(installed(run.main)).toBe(true)
      expect(run.saved).toBe(false)
      expect(offNotices(run.main)).toEqual([
        expect.stringContaining(
          'a pull_request_target event (runs for pull requests, forks included)'
        )
      ])
      expect(run.main.stdout).not.toMatch(/Cache: (restored|no venv)/)
      expect(warnings(run.post)).toEqual([])
    })

    it('auto on a tag (a release build) neither restores nor saves', async () => {
      const run = await job(runner, cacheDir, { env: TAG })
      expect(run.main.outputs['cache-hit']).toBe('false')
      expect(installed(run.main)).toBe(true)
      expect(run.saved).toBe(false)
      expect(offNotices(run.main)).toEqual([
        expect.stringContaining('a tag (refs/tags/v1.0.0) builds a release')
      ])
    })

    it('true caches on pull_request_target too', async () => {
      const inputs = { cache: 'true', packages: 'zeta' }
      const first = await job(runner, cacheDir, { inputs, env: PULL_REQUEST_TARGET })
      expect(first.main.outputs['cache-hit']).toBe('false')
      expect(first.saved).toBe(true)
      const second = await job(runner, cacheDir, { inputs, env: PULL_REQUEST_TARGET })
      expect(second.main.outputs['cache-hit']).toBe('true')
      expect(offNotices(second.main)).toEqual([])
    })

    it('false neither restores nor saves, silently', async () => {
      const run = await job(runner, cacheDir, { inputs: { cache: 'false' } })
      expect(run.main.outputs['cache-hit']).toBe('false')
      expect(installed(run.main)).toBe(true)
      expect(run.saved).toBe(false)
      expect(offNotices(run.main)).toEqual([])
    })

    it('cache-save false restores but never saves', async () => {
      const hit = await job(runner, cacheDir, { inputs: { 'cache-save': 'false' } })
      expect(hit.main.outputs['cache-hit']).toBe('true')
      const miss = await job(runner, cacheDir, {
        inputs: { 'cache-save': 'false', packages: 'delta' }
      })
      expect(miss.main.outputs['cache-hit']).toBe('false')
      expect(installed(miss.main)).toBe(true)
      expect(miss.saved).toBe(false)
      expect(warnings(miss.post)).toEqual([])
    })
  }
)

describe.skipIf(lacks('3.12'))("pip's cache tier", () => {
  it('never archives a --cache-dir that holds more than pip’s cache (the workspace, .git/config)', async () => {
    const runner = project()
    const cacheDir = path.join(runner.dir, 'cache')
    fs.mkdirSync(path.join(runner.workspace, '.git'))
    fs.writeFileSync(
      path.join(runner.workspace, '.git', 'config'),
      '[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n'
    )
    const run = await job(runner, cacheDir, { inputs: { 'pip-args': '--cache-dir .' } })
    expect([...warnings(run.main), ...warnings(run.post)]).toEqual([
      expect.stringMatching(
        new RegExp(`pip's cache ${runner.workspace} holds \\.git, .*not cached`)
      )
    ])
    expect(archives(cacheDir).pip).toEqual([])
    for (const archive of archives(cacheDir).venv) {
      const listing = execFileSync('tar', ['-t', '-f', archive], { encoding: 'utf8' })
      expect(listing).not.toContain('.git/')
    }
    expect(archives(cacheDir).venv).toHaveLength(1)
  })
})

describe.skipIf(lacks('3.12'))('cache-dir', () => {
  it('never follows a symlink out of it, neither to restore nor to save', async () => {
    const runner = project()
    const cacheDir = path.join(runner.dir, 'cache')
    expect((await job(runner, cacheDir)).saved).toBe(true)
    const [archive] = archives(cacheDir).venv
    const outside = path.join(runner.dir, 'elsewhere', path.basename(archive))
    fs.mkdirSync(path.dirname(outside))
    fs.renameSync(archive, outside)
    fs.symlinkSync(outside, archive)
    const outsideBefore = fs.readFileSync(outside)

    const run = await job(runner, cacheDir)
    expect(run.main.outputs['cache-hit']).toBe('false')
    expect(installed(run.main)).toBe(true)
    expect(run.saved).toBe(true)
    expect(fs.lstatSync(archive).isFile()).toBe(true)
    expect(fs.readFileSync(outside).equals(outsideBefore)).toBe(true)
  })

  it('caches a venv whose name starts with a dash (not a tar option)', async () => {
    const runner = project()
    const cacheDir = path.join(runner.dir, 'cache')
    const inputs = { 'venv-path': '-venv' }
    const first = await job(runner, cacheDir, { inputs })
    expect(warnings(first.post)).toEqual([])
    expect(archives(cacheDir).venv).toHaveLength(1)
    removeDashVenv(runner)
    const second = await job(runner, cacheDir, { inputs })
    expect(second.main.outputs['cache-hit']).toBe('true')
    expect(second.main.outputs['venv-path']).toBe(path.join(runner.workspace, '-venv'))
  })
})

function removeDashVenv(runner: Runner): void {
  fs.rmSync(path.join(runner.workspace, '-venv'), { recursive: true, force: true })
}

describe.skipIf(lacks('3.12'))("GitHub's cache service (the fake)", () => {
  let service: FakeCacheService
  beforeAll(async () => {
    service = await startCacheService()
  })
  afterAll(async () => {
    await service.close()
  })

  it('caches a venv whose path in the workspace starts with a dash', async () => {
    const runner = project()
    const inputs = { 'python-version': '3.12', 'venv-path': '-venv' }
    const env = { ...service.env, ...PUSH }
    succeeded(await runAction(runner, { inputs, env }))
    const save = await runAction(runner, { entry: 'post', env })
    succeeded(save)
    expect(warnings(save)).toEqual([])
    expect(service.entries.filter(e => e.finalized && e.key.includes('-venv-'))).toHaveLength(1)
    removeDashVenv(runner)
    freshJob(runner)
    const again = await runAction(runner, { inputs, env })
    succeeded(again)
    expect(again.outputs['cache-hit']).toBe('true')
    execFileSync(again.outputs['python-path'], ['-c', 'import alpha'], { env: hermeticEnv(runner) })
  })
})

/**
 * A later step's tampering with the venv. The forged bytecode keeps the real file's header (the
 * source's time and size, so Python takes it as up to date) and runs code that leaves `marker`.
 */
describe.skipIf(lacks('3.12'))('a later step that changes the venv by content', () => {
  const python = pythonOf('3.12').executable
  const FORGE = `import marshal, os, sys
real, out, marker = sys.argv[1:4]
stat = os.stat(out) if os.path.exists(out) else None
header = open(real, "rb").read()[:16]
code = compile("open(%r, 'w').write('ran')" % marker, "<later step>", "exec")
open(out, "wb").write(header + marshal.dumps(code))
if stat:
    os.utime(out, ns=(stat.st_atime_ns, stat.st_mtime_ns))
`
  const sitePackages = (run: ActionRun): string =>
    execFileSync(
      run.outputs['python-path'],
      ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))'],
      { encoding: 'utf8' }
    ).trim()
  const forge = (real: string, out: string, marker: string): void => {
    execFileSync(python, ['-c', FORGE, real, out, marker])
  }
  const tagged = (dir: string, module: string): string =>
    path.join(dir, '__pycache__', `${module}.cpython-312.pyc`)

  it('rewritten bytecode with a valid header (run by every interpreter start): not saved, never run', async () => {
    const runner = project()
    const cacheDir = path.join(runner.dir, 'cache')
    const marker = path.join(runner.dir, 'ran')
    const run = await job(runner, cacheDir, {
      later: main => {
        const hack = tagged(path.join(sitePackages(main), '_distutils_hack'), '__init__')
        forge(hack, hack, marker)
      }
    })
    expect(run.saved).toBe(false)
    expect(warnings(run.post).join('\n')).toContain(
      'the venv was not saved: a later step changed it'
    )
    fs.rmSync(marker, { force: true })
    const next = await job(runner, cacheDir)
    expect(next.main.outputs['cache-hit']).toBe('false')
    expect(fs.existsSync(marker)).toBe(false)
  })

  it('a process a later step left running, changing the venv while post archives it: not kept', async () => {
    const runner = project()
    const cacheDir = path.join(runner.dir, 'cache')
    let watcher: ReturnType<typeof spawn> | undefined
    const run = await job(runner, cacheDir, {
      later: main => {
        // It waits for the archive's temporary files, which appear once post has checked the venv.
        const module = path.join(sitePackages(main), 'alpha', '__init__.py')
        watcher = spawn(python, [
          '-c',
          `import os, sys, time
cache, module = sys.argv[1:3]
end = time.time() + 60
while time.time() < end:
    if os.path.isdir(cache) and any(n.startswith(".") for n in os.listdir(cache)):
        open(module, "a").write("# changed while archived\\n")
        break
    time.sleep(0.001)`,
          cacheDir,
          module
        ])
      }
    })
    watcher?.kill()
    expect(run.saved).toBe(false)
    expect(warnings(run.post).join('\n')).toContain('changed while it was archived')
    expect(archives(cacheDir).venv).toEqual([])
  })

  it('a module edited keeping its size and time: not saved', async () => {
    const runner = project()
    const cacheDir = path.join(runner.dir, 'cache')
    const run = await job(runner, cacheDir, {
      later: main => {
        const module = path.join(sitePackages(main), 'alpha', '__init__.py')
        execFileSync(python, [
          '-c',
          `import os, sys
path = sys.argv[1]
stat = os.stat(path)
text = open(path).read()
open(path, "w").write(text.replace("2.0.0", "6.6.6"))
os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))`,
          module
        ])
        expect(fs.readFileSync(module, 'utf8')).toContain('6.6.6')
      }
    })
    expect(run.saved).toBe(false)
    expect(warnings(run.post).join('\n')).toContain(
      'the venv was not saved: a later step changed it'
    )
    expect(archives(cacheDir).venv).toEqual([])
  })

  it('new bytecode a later step wrote (as pytest does for plugins) is saved but never restored', async () => {
    const runner = project()
    const cacheDir = path.join(runner.dir, 'cache')
    const marker = path.join(runner.dir, 'ran')
    const run = await job(runner, cacheDir, {
      later: main => {
        const alpha = path.join(sitePackages(main), 'alpha')
        const optimized = path.join(alpha, '__pycache__', '__init__.cpython-312.opt-1.pyc')
        forge(tagged(alpha, '__init__'), optimized, marker)
        fs.writeFileSync(path.join(alpha, '__pycache__', 'plugin.cpython-312-pytest-8.3.4.pyc'), '')
      }
    })
    expect(run.saved).toBe(true)
    expect(warnings(run.post)).toEqual([])
    const next = await job(runner, cacheDir)
    expect(next.main.outputs['cache-hit']).toBe('true')
    const alphaCache = path.join(sitePackages(next.main), 'alpha', '__pycache__')
    expect(fs.readdirSync(alphaCache)).toEqual(['__init__.cpython-312.pyc'])
    execFileSync(next.main.outputs['python-path'], ['-O', '-c', 'import alpha'], {
      env: hermeticEnv(runner)
    })
    expect(fs.existsSync(marker)).toBe(false)
  })
})
