import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hermeticEnv, newRunner, runAction, type ActionRun } from '../helpers/action.js'
import {
  archives,
  freshJob,
  installed,
  packArchive,
  project,
  succeeded,
  venvWorks,
  warnings
} from '../helpers/cache-runs.js'
import { startCacheService, type FakeCacheService } from '../helpers/cache-service.js'
import { WHEELHOUSE } from '../helpers/paths.js'
import { lacks, pythonOf } from '../helpers/pythons.js'
import { makeSdist } from '../../scripts/wheelhouse.mjs'

describe.skipIf(lacks('3.12'))(
  "GitHub's cache service (a fake of v2, the real @actions/cache client)",
  () => {
    let service: FakeCacheService
    const runner = project()
    const main = (): Promise<ActionRun> =>
      runAction(runner, { inputs: { 'python-version': '3.12' }, env: service.env })
    const post = (): Promise<ActionRun> => runAction(runner, { entry: 'post', env: service.env })

    beforeAll(async () => {
      service = await startCacheService()
    })
    afterAll(async () => {
      await service.close()
    })

    it('saves in post and restores the exact venv in the next job, which then installs nothing', async () => {
      const first = await main()
      succeeded(first)
      expect(first.outputs['cache-hit']).toBe('false')
      const key = first.outputs['cache-key']
      expect(key).toMatch(
        /^venv-guard-v\d+-venv-linux-.+-x64-cpython-3\.12\.\d+-[0-9a-f]{16}-[0-9a-f]{64}$/
      )
      expect(installed(first)).toBe(true)

      const saved = await post()
      succeeded(saved)
      expect(warnings(saved)).toEqual([])
      const entry = service.entries.find(e => e.key === key)
      expect(entry?.finalized).toBe(true)
      // A small archive goes up in one PUT, not as blocks (the venv's, and the tool seed's).
      expect(service.entries.map(e => e.key.split('-')[3])).toEqual(['venv', 'seed'])
      expect(service.requests.filter(r => r.startsWith('PUT '))).toHaveLength(2)

      freshJob(runner)
      const second = await main()
      succeeded(second)
      expect(second.outputs['cache-hit']).toBe('true')
      expect(second.outputs['cache-key']).toBe(key)
      expect(installed(second)).toBe(false)
      expect(second.stdout).toContain('passed the health check')
      venvWorks(runner, second)
      expect(second.summary).toContain('restored from the cache')

      // After a hit there is nothing to save.
      const again = await post()
      succeeded(again)
      expect(service.entries).toHaveLength(2)
    })

    it('on a miss, restores the earlier venv of the same path by its prefix and updates it in place', async () => {
      const other = project()
      const inputs = { 'python-version': '3.12' }
      const first = await runAction(other, { inputs, env: service.env })
      succeeded(first)
      succeeded(await runAction(other, { entry: 'post', env: service.env }))

      fs.writeFileSync(path.join(other.workspace, 'requirements.txt'), 'alpha\ngamma\n')
      freshJob(other)
      const second = await runAction(other, { inputs, env: service.env })
      succeeded(second)
      expect(second.outputs['cache-hit']).toBe('false')
      expect(second.outputs['cache-key']).not.toBe(first.outputs['cache-key'])
      expect(second.stdout).toContain(
        `restored an earlier one of the same interpreter and path (${first.outputs['cache-key']})`
      )
      expect(second.stdout).toMatch(/updating in place .*installing gamma/)
      expect(second.summary).toContain('updated')
      venvWorks(other, second)
      // The updated venv is saved under its own key, beside the earlier one.
      succeeded(await runAction(other, { entry: 'post', env: service.env }))
      expect(service.entries.map(e => e.key)).toContain(second.outputs['cache-key'])
    })

    it('an earlier venv whose tools the index has moved past is made anew, its requirements run stopped or not', async () => {
      const other = project()
      const inputs = { 'python-version': '3.12' }
      // One find-links directory, the same setting in both jobs: the older tools only, then all.
      const links = fs.mkdtempSync(path.join(path.dirname(WHEELHOUSE), 'links-'))
      const newer = /^(pip-2[56]|setuptools-84|wheel-0\.48|packaging-26)/
      for (const file of fs.readdirSync(WHEELHOUSE).filter(f => !newer.test(f)))
        fs.copyFileSync(path.join(WHEELHOUSE, file), path.join(links, file))
      const env = { ...service.env, PIP_FIND_LINKS: links }
      try {
        succeeded(await runAction(other, { inputs, env }))
        succeeded(await runAction(other, { entry: 'post', env }))

        for (const file of fs.readdirSync(WHEELHOUSE).filter(f => newer.test(f)))
          fs.copyFileSync(path.join(WHEELHOUSE, file), path.join(links, file))
        fs.writeFileSync(path.join(other.workspace, 'requirements.txt'), 'alpha\ngamma\n')
        freshJob(other)
        const second = await runAction(other, { inputs, env })
        succeeded(second)
        expect(second.stdout).toContain('restored an earlier one of the same interpreter and path')
        expect(second.stdout).toMatch(
          /not updated in place: the upgrade would now install other tools than it holds.*; it is made anew/
        )
        expect(second.stdout).toMatch(/After: pip 26\.2\.1, setuptools 84\.0\.0, wheel 0\.48\.0/)
        expect(second.stdout).toContain('Clean install')
        venvWorks(other, second)
      } finally {
        fs.rmSync(links, { recursive: true, force: true })
      }
    })

    it('turns a reserve race, a read-only token and a service error into warnings', async () => {
      const other = project()
      const inputs = { 'python-version': '3.12', packages: 'zeta' }
      succeeded(await runAction(other, { inputs, env: service.env }))
      const postOther = (): Promise<ActionRun> =>
        runAction(other, { entry: 'post', env: service.env })

      service.failNext('CreateCacheEntry', 409, {
        code: 'already_exists',
        msg: 'another job is creating this entry'
      })
      const race = await postOther()
      succeeded(race)
      expect(warnings(race).join('\n')).toMatch(
        /not saved to GitHub's cache service .*another job may be saving the same key/
      )

      service.failNext('CreateCacheEntry', 200, {
        ok: false,
        message: 'cache write denied: the token of this run is read-only'
      })
      const readOnly = await postOther()
      succeeded(readOnly)
      expect(warnings(readOnly).join('\n')).toContain('cache write denied')

      service.failNext('FinalizeCacheEntryUpload', 400, {
        code: 'invalid_argument',
        msg: 'size mismatch'
      })
      const broken = await postOther()
      succeeded(broken)
      expect(warnings(broken).join('\n')).toContain('size mismatch')

      freshJob(other)
      service.failNext('GetCacheEntryDownloadURL', 403, {
        code: 'permission_denied',
        msg: 'no access'
      })
      const unreadable = await runAction(other, { inputs, env: service.env })
      succeeded(unreadable)
      expect(unreadable.outputs['cache-hit']).toBe('false')
      expect(warnings(unreadable).join('\n')).toContain('Failed to restore')
    })

    it('rebuilds the venv when the archive is corrupt, and the step succeeds', async () => {
      const entry = service.entries.find(e => e.finalized && e.key.includes('-venv-') && e.blob)
      expect(entry).toBeDefined()
      entry!.blob = Buffer.concat([
        entry!.blob!.subarray(0, entry!.blob!.length / 2),
        Buffer.from('garbage')
      ])
      freshJob(runner)
      const run = await main()
      succeeded(run)
      expect(run.outputs['cache-hit']).toBe('false')
      expect(warnings(run).join('\n')).toContain('Failed to restore')
      expect(installed(run)).toBe(true)
      venvWorks(runner, run)
    })
  }
)

/** Unpacks a cache-dir archive, lets `change` edit the venv in it, and packs it again. */
async function rewriteArchive(archive: string, change: (venv: string) => void): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-archive-'))
  execFileSync('tar', ['-x', '-f', archive, '-C', scratch])
  change(path.join(scratch, '.venv'))
  await packArchive(archive, path.join(scratch, '.venv'))
  fs.rmSync(scratch, { recursive: true, force: true })
}

describe.skipIf(lacks('3.12'))('cache-dir (a local directory store)', () => {
  const runner = project()
  const cacheDir = path.join(runner.dir, 'cache')
  const inputs = { 'python-version': '3.12', 'cache-dir': cacheDir }
  const main = (): Promise<ActionRun> => runAction(runner, { inputs })
  const post = (): Promise<ActionRun> => runAction(runner, { entry: 'post' })

  it('round trip: two jobs saving at once leave one whole archive, and the next job restores it', async () => {
    const first = await main()
    succeeded(first)
    expect(first.outputs['cache-hit']).toBe('false')
    const saves = await Promise.all([post(), post()])
    for (const save of saves) {
      succeeded(save)
      expect(warnings(save)).toEqual([])
    }
    expect(archives(cacheDir).venv).toHaveLength(1)
    expect(archives(cacheDir).other).toEqual([])

    freshJob(runner)
    const second = await main()
    succeeded(second)
    expect(second.outputs['cache-hit']).toBe('true')
    expect(second.outputs['cache-key']).toBe(first.outputs['cache-key'])
    expect(installed(second)).toBe(false)
    venvWorks(runner, second)
    expect(
      fs.readdirSync(runner.workspace).filter(n => n.startsWith('.venv-guard-restore-'))
    ).toEqual([])
  })

  it('rebuilds from a corrupted archive, and the new save replaces it', async () => {
    const [archive] = archives(cacheDir).venv
    fs.writeFileSync(archive, fs.readFileSync(archive).subarray(0, 1000))
    freshJob(runner)
    const run = await main()
    succeeded(run)
    expect(run.outputs['cache-hit']).toBe('false')
    expect(warnings(run).join('\n')).toContain(
      `Could not restore ${path.join(runner.workspace, '.venv')} from ${archive}`
    )
    expect(installed(run)).toBe(true)
    venvWorks(runner, run)
    succeeded(await post())

    freshJob(runner)
    expect((await main()).outputs['cache-hit']).toBe('true')
  })

  it('rebuilds a venv with a broken package (pip check fails)', async () => {
    const [archive] = archives(cacheDir).venv
    await rewriteArchive(archive, venv => {
      const site = path.join(
        venv,
        'lib',
        fs.readdirSync(path.join(venv, 'lib'))[0],
        'site-packages'
      )
      for (const name of fs.readdirSync(site).filter(n => /^beta($|-)/.test(n))) {
        fs.rmSync(path.join(site, name), { recursive: true })
      }
    })
    freshJob(runner)
    const run = await main()
    succeeded(run)
    expect(run.outputs['cache-hit']).toBe('false')
    expect(warnings(run).join('\n')).toMatch(
      /is not usable: pip check: alpha 2\.0\.0 requires beta, which is not installed\. It was removed and is built afresh\. The new one replaces the cache entry\./
    )
    expect(installed(run)).toBe(true)
    venvWorks(runner, run)
  })

  it('rebuilds a venv whose interpreter moved', async () => {
    const moved = newRunner('vg-cache-moved-')
    fs.writeFileSync(path.join(moved.workspace, 'requirements.txt'), 'delta\n')
    // A copy of the interpreter behind a stable path, as a tool cache or a symlink farm has it.
    const install = path.join(moved.dir, 'python-a')
    fs.mkdirSync(path.join(install, 'bin'), { recursive: true })
    const binary = path.join(install, 'bin', 'python3.12')
    fs.copyFileSync(fs.realpathSync(pythonOf('3.12').executable), binary)
    fs.chmodSync(binary, 0o755)
    const stable = path.join(moved.dir, 'stable', 'bin', 'python3')
    fs.mkdirSync(path.dirname(stable), { recursive: true })
    fs.symlinkSync(binary, stable)
    const movedInputs = { 'python-path': stable, 'cache-dir': path.join(moved.dir, 'cache') }
    succeeded(await runAction(moved, { inputs: movedInputs }))
    succeeded(await runAction(moved, { entry: 'post' }))

    fs.renameSync(install, path.join(moved.dir, 'python-b'))
    fs.rmSync(stable)
    fs.symlinkSync(path.join(moved.dir, 'python-b', 'bin', 'python3.12'), stable)
    freshJob(moved)
    const run = await runAction(moved, { inputs: movedInputs })
    succeeded(run)
    expect(run.outputs['cache-hit']).toBe('false')
    expect(warnings(run).join('\n')).toContain(
      `its pyvenv.cfg names the interpreter ${binary}, which no longer exists`
    )
    expect(installed(run)).toBe(true)
    execFileSync(run.outputs['python-path'], ['-c', 'import delta'], { env: hermeticEnv(moved) })
  })

  it('does not save a venv that a later step changed', async () => {
    const changed = newRunner('vg-cache-changed-')
    const changedInputs = {
      'python-version': '3.12',
      packages: 'delta',
      'cache-dir': path.join(changed.dir, 'cache')
    }
    const run = await runAction(changed, { inputs: changedInputs })
    succeeded(run)
    execFileSync(run.outputs['python-path'], ['-m', 'pip', 'install', '-q', 'zeta'], {
      env: hermeticEnv(changed)
    })
    const save = await runAction(changed, { entry: 'post' })
    succeeded(save)
    expect(warnings(save).join('\n')).toContain('the venv was not saved: a later step changed it')
    expect(archives(path.join(changed.dir, 'cache')).venv).toEqual([])
  })

  it('does not save a venv that fails the health check (pip check) after its install', async () => {
    const noDeps = newRunner('vg-cache-nodeps-')
    const cache = path.join(noDeps.dir, 'cache')
    const run = await runAction(noDeps, {
      inputs: {
        'python-version': '3.12',
        packages: 'alpha',
        'pip-args': '--no-deps',
        'cache-dir': cache
      }
    })
    succeeded(run)
    // (--no-deps may leave an upgraded tool without its own dependency too: wheel 0.46+ needs packaging.)
    expect(warnings(run).join('\n')).toMatch(
      /Cache: the venv will not be saved: (.*; )?pip check: alpha 2\.0\.0 requires beta, which is not installed[.;]/
    )
    succeeded(await runAction(noDeps, { entry: 'post' }))
    expect(archives(cache).venv).toEqual([])
  })

  it("restores pip's cache by prefix when the venv misses, so a changed requirement builds nothing again", async () => {
    const runner = newRunner('vg-cache-pip-')
    // An sdist: pip builds a wheel from it once and keeps that wheel in its cache.
    const sdists = path.join(runner.dir, 'sdists')
    makeSdist(sdists, { name: 'sdistpkg', version: '1.0' })
    const requirements = path.join(runner.workspace, 'requirements.txt')
    fs.writeFileSync(requirements, 'sdistpkg\n')
    const cache = path.join(runner.dir, 'cache')
    const pipInputs = {
      'python-version': '3.12',
      'pip-args': `--find-links ${sdists}`,
      'cache-dir': cache
    }

    const first = await runAction(runner, { inputs: pipInputs })
    succeeded(first)
    expect(first.stdout).toContain('Building wheel for sdistpkg')
    succeeded(await runAction(runner, { entry: 'post' }))
    expect(archives(cache).pip).toHaveLength(1)

    // Another machine (no pip cache) and a changed requirements file: the venv misses, pip's cache does not.
    freshJob(runner)
    fs.rmSync(path.join(runner.home, '.cache', 'pip'), { recursive: true, force: true })
    fs.appendFileSync(requirements, 'delta\n')
    const second = await runAction(runner, { inputs: pipInputs })
    succeeded(second)
    expect(second.outputs['cache-hit']).toBe('false')
    expect(second.stdout).toContain("Cache: restored pip's cache")
    expect(second.stdout).not.toContain('Building wheel for sdistpkg')
    execFileSync(second.outputs['python-path'], ['-c', 'import sdistpkg, delta'], {
      env: hermeticEnv(runner)
    })
    succeeded(await runAction(runner, { entry: 'post' }))
    expect(archives(cache).pip).toHaveLength(2)
  })
})
