import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { errors, newRunner, runAction, type ActionRun } from '../helpers/action.js'
import { CORPUS_CASES, type CorpusCase } from '../helpers/corpus-cases.js'
import { MIRROR_PIP, NO_MIRROR } from '../helpers/mirror.js'
import { lacks, pythonOf } from '../helpers/pythons.js'
import { findMirror, mirrorEnv } from '../helpers/recipe.js'

/**
 * The agreement figure of docs/annotations.md: each case of the corpus of real files
 * (corpus-cases.ts) run by the bundle and by pip 26 itself (`pip install --dry-run`, one run a
 * case) on Python 3.12 against the local mirror. The verdict (fails or not) must be pip's, and
 * each failure's annotations must include the line pip blames.
 * Reproduce: TMPDIR=/tmp/x npx vitest run __tests__/integration/corpus.test.ts
 */

const MIRROR = findMirror()

interface Outcome {
  name: string
  pipFailed: boolean
  pipOutput: string
  run: ActionRun
  places: string[]
  blame?: CorpusCase['blame']
}

function pipDryRun(cwd: string, env: Record<string, string>, args: string[]) {
  return new Promise<{ code: number; output: string }>(resolve => {
    const child = spawn(
      pythonOf('3.12').executable,
      [
        path.join(MIRROR_PIP!, 'pip'),
        'install',
        '--dry-run',
        '--ignore-installed',
        '--retries',
        '0',
        ...args
      ],
      { cwd, env, timeout: 240_000 }
    )
    let output = ''
    child.stdout.on('data', d => (output += d))
    child.stderr.on('data', d => (output += d))
    child.on('close', code => resolve({ code: code ?? -1, output }))
  })
}

async function runCase(c: CorpusCase): Promise<Outcome> {
  const runner = newRunner('vg-corpus-')
  for (const [file, content] of Object.entries(c.files)) {
    fs.mkdirSync(path.dirname(path.join(runner.workspace, file)), { recursive: true })
    fs.writeFileSync(path.join(runner.workspace, file), content)
  }
  const env = mirrorEnv(runner, MIRROR!)
  const defined = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)
  )
  const [run, pip] = await Promise.all([
    runAction(runner, {
      inputs: {
        'python-version': '3.12',
        upgrade: 'pip',
        cache: 'false',
        'pip-args': '--retries 0',
        ...c.inputs
      },
      env,
      timeoutMs: 240_000
    }),
    pipDryRun(runner.workspace, defined, c.pipArgs)
  ])
  fs.rmSync(runner.dir, { recursive: true, force: true })
  const places = errors(run).map(a => `${a.properties.file}:${a.properties.line}`)
  return {
    name: c.name,
    pipFailed: pip.code !== 0,
    pipOutput: pip.output,
    run,
    places,
    blame: c.blame
  }
}

/** Two cases at a time: the machine has two cores. */
async function runAll(cases: CorpusCase[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = []
  const queue = [...cases]
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) outcomes.push(await runCase(c))
  }
  await Promise.all([worker(), worker()])
  return outcomes
}

describe.skipIf(!MIRROR || !MIRROR_PIP || lacks('3.12'))('the corpus of real files', () => {
  it('annotates each failure where pip puts the blame, and fails exactly when pip does', async () => {
    const outcomes = await runAll(CORPUS_CASES)
    const failures = outcomes.filter(o => o.blame)
    const annotated = failures.filter(o => o.places.includes(o.blame!.place))
    const verdicts = outcomes.filter(o => o.pipFailed === (o.run.exitCode !== 0))
    console.log(
      `corpus: ${annotated.length} of ${failures.length} failures annotated where pip puts the blame, verdict pip's in ${verdicts.length} of ${outcomes.length}`
    )
    // The cases are pip's: it fails on each failure, and names what it blames.
    for (const o of outcomes) {
      expect([o.name, o.pipFailed], o.pipOutput.slice(-2000)).toEqual([o.name, !!o.blame])
      if (o.blame) expect(o.pipOutput, o.name).toMatch(o.blame.pip)
    }
    const missed = failures
      .filter(o => !annotated.includes(o))
      .map(o => `${o.name}: ${o.places.join(', ') || 'no file'} (pip: ${o.blame!.place})`)
    expect(missed).toEqual([])
    expect(verdicts.length).toBe(outcomes.length)
  }, 900_000)
})

if (!MIRROR || !MIRROR_PIP) console.log(NO_MIRROR)
