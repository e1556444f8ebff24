import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/paths.js'
import { spawnText } from '../helpers/spawn.js'

/**
 * runStep (src/action/entry.ts) as the bundles use it, in a process of its own (run by tsx, as
 * TypeScript): the handlers it installs and the exit it makes are the process's.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-entry-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

async function step(body: string): Promise<{ status: number | null; output: string }> {
  const file = path.join(dir, `step-${Math.random().toString(36).slice(2)}.mts`)
  const entry = path.join(ROOT, 'src', 'action', 'entry.ts')
  fs.writeFileSync(
    file,
    `import { runStep } from ${JSON.stringify(entry)}\nawait runStep('the step', async () => {\n${body}\n})\n`
  )
  const env = { ...process.env, GITHUB_OUTPUT: '', GITHUB_STATE: '' }
  return spawnText(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [file], {
    cwd: dir,
    env,
    timeoutMs: 60_000
  })
}

const settle = 'await new Promise(resolve => setTimeout(resolve, 200))'

describe('runStep', () => {
  it('ends the process when the work is done, with its exit code, though a handle is open', async () => {
    const started = Date.now()
    const run = await step('setInterval(() => {}, 1000)\nprocess.exitCode = 3')
    expect(run.status, run.output).toBe(3)
    expect(Date.now() - started).toBeLessThan(30_000)
  })

  it('ends a rejection nobody awaited as one annotation, credentials masked, no stack trace', async () => {
    const run = await step(
      `void Promise.reject(new Error('no index at https://me:s3cret@pypi.example/simple'))\n${settle}\nconsole.log('not reached')`
    )
    expect(run.status).toBe(1)
    expect(run.output).toContain('::add-mask::s3cret')
    const errors = run.output.split('\n').filter(line => line.startsWith('::error'))
    expect(errors).toEqual([
      '::error::the step failed unexpectedly: no index at https://me:***@pypi.example/simple'
    ])
    expect(run.output).not.toMatch(/^\s+at /m)
    expect(run.output).not.toContain('not reached')
  })

  it('ends an exception thrown from a callback as one annotation', async () => {
    const run = await step(`setTimeout(() => { throw new Error('bang') }, 0)\n${settle}`)
    expect(run.status).toBe(1)
    expect(run.output.trim()).toBe('::error::the step failed unexpectedly: bang')
  })
})

describe("the bundles' undici (src/bin/lazy-undici.ts)", () => {
  const bundled = (entry: string) => pathToFileURL(path.join(ROOT, 'dist', entry, 'index.js')).href

  it("makes the real ProxyAgent from undici's own bundle, loaded only then", async () => {
    const { undiciFor } = await import('../../src/bin/lazy-undici.js')
    const undici = undiciFor(bundled('main'))
    const agent = new undici.ProxyAgent({ uri: 'http://127.0.0.1:3128' })
    expect(agent).toBeInstanceOf(undici.ProxyAgent)
    expect(agent.constructor.name).toBe('ProxyAgent')
    await agent.close()
  })

  it('stands in for undici in the bundles, which hold none of it and take only what it exports', async () => {
    const lazy = await import('../../src/bin/lazy-undici.js')
    // What the bundles' HTTP client takes from undici: the stand-in must export each of them.
    const client = fs.readFileSync(
      path.join(ROOT, 'node_modules', '@actions', 'http-client', 'lib', 'index.js'),
      'utf8'
    )
    const taken = [...client.matchAll(/import \{([^}]*)\} from 'undici'/g)].flatMap(m =>
      m[1].split(',').map(name => name.trim())
    )
    expect(taken).toEqual(['ProxyAgent'])
    for (const name of taken) expect(Object.keys(lazy)).toContain(name)
    for (const entry of ['main', 'post']) {
      const code = fs
        .readdirSync(path.join(ROOT, 'dist', entry))
        .filter(file => file.endsWith('.js'))
        .map(file => fs.readFileSync(path.join(ROOT, 'dist', entry, file), 'utf8'))
        .join('\n')
      expect(code).toContain(`'${lazy.UNDICI_BUNDLE}'`)
      // undici's own code (its fetch names its origin) is only in its bundle.
      expect(code).not.toContain('undici-fetch')
    }
    const own = fs.readFileSync(path.join(ROOT, 'dist', 'undici', 'index.cjs'), 'utf8')
    expect(own).toContain('undici-fetch')
  })
})
