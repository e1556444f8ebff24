import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lacks } from '../helpers/pythons.js'
import { scratchCheckout } from '../helpers/checkout.js'
import { ROOT } from '../helpers/paths.js'
import { spawnText } from '../helpers/spawn.js'

/**
 * The README's command for GitHub's local runner, run as a developer runs it: from the root of a
 * checkout, with .env.example copied to .env as it is, and the wheelhouse `npm run example` builds.
 */
function checkout(): string {
  const dir = scratchCheckout('vg-local-action-', [
    'action.yml',
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'src',
    'example'
  ])
  fs.copyFileSync(path.join(ROOT, '.env.example'), path.join(dir, '.env'))
  return dir
}

async function localAction(dir: string): Promise<string> {
  const bin = path.join(ROOT, 'node_modules', '.bin', 'local-action')
  const { status, output } = await spawnText(
    bin,
    ['.', 'src/main.ts', '.env', '--post', 'src/post.ts'],
    {
      cwd: dir,
      // node_modules is a link to this checkout's: local-action finds the packages it stubs
      // (@actions/core, @actions/cache) by the link's path, so imports must keep it too.
      env: { ...process.env, NODE_PRESERVE_SYMLINKS: '1', NO_COLOR: '1', FORCE_COLOR: '0' }
    }
  )
  expect(status, output).toBe(0)
  expect(output, output).not.toMatch(/^::error/m)
  return output
}

/** An output as local-action's closing table shows it. */
function output(log: string, name: string): string | undefined {
  const table = log.slice(log.lastIndexOf('Action Outputs'))
  return new RegExp(`'${name}'\\s*│\\s*'([^']*)'`).exec(table)?.[1]
}

// .env.example asks for Python 3.12.
describe.skipIf(lacks('3.12'))(
  'npx @github/local-action . src/main.ts .env --post src/post.ts',
  () => {
    let dir: string
    beforeAll(() => {
      dir = checkout()
    })
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

    it('runs the main step and the post step from source with .env.example as it is', async () => {
      const log = await localAction(dir)
      expect(log).toContain('Running Post Step')
      expect(log.slice(log.indexOf('Running Post Step'))).toContain('Cache: saved the venv')
      expect(output(log, 'venv-path')).toBe(path.join(dir, 'example', '.venv'))
      expect(output(log, 'cache-hit')).toBe('false')
      expect(log.match(/set-output name=cache-hit::/g)).toHaveLength(1)
    })

    it('restores the venv from cache-dir when the venv is absent, as on a new job', async () => {
      fs.rmSync(path.join(dir, 'example', '.venv'), { recursive: true })
      const log = await localAction(dir)
      expect(log).toContain('Cache: restored the venv')
      expect(output(log, 'cache-hit')).toBe('true')
      expect(log.match(/set-output name=cache-hit::/g)).toHaveLength(1)
    })

    it('says that a venv already there is used as it is, and nothing false about the cache', async () => {
      const log = await localAction(dir)
      expect(log).toContain('is used as it is, not restored')
      expect(log).not.toMatch(/no venv under .* in cache-dir/)
      expect(output(log, 'cache-hit')).toBe('false')
      expect(log.match(/set-output name=cache-hit::/g)).toHaveLength(1)
    })
  }
)
