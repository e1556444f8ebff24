// pip is the oracle for parsing: thousands of generated requirement files go through the action's
// parser and through pip's own (req_file.parse_requirements and the requirement constructors) of
// several pip versions, and the verdicts must agree. A fixed seed keeps CI repeatable (a random one
// found a known gap in one run of three); a failure prints the seed, and
// VG_ORACLE_SEED=<seed> reproduces it.
import { spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { parseRequirementFiles, type ParsedRequirements } from '../../src/pip/requirements.js'
import { ROOT } from '../helpers/paths.js'
import { findPython, lacks, type Minor } from '../helpers/pythons.js'
import { findMirror } from '../helpers/recipe.js'
import {
  CASE_ENV,
  generateCase,
  prng,
  type CaseFiles,
  type GeneratorOptions,
  type RareFeature
} from '../helpers/requirement-cases.js'

const DRIVER = path.join(ROOT, '__tests__', 'helpers', 'pip_parse.py')
const CASES = 2000

type PipVerdict =
  | { ok: true; requirements: Array<[string, number, boolean]>; files: string[] }
  | { ok: false; file: string | null; line: number | null; error: string }

interface Oracle {
  label: string
  version: string
  python: string
  /** A pip wheel put first on sys.path, for a pip no interpreter here carries. */
  wheel?: string
}

function pipVersion(python: string, wheel?: string): string {
  const result = spawnSync(python, ['-c', 'import pip; print(pip.__version__)'], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: wheel ?? '' }
  })
  return result.stdout.trim()
}

/** The newest pip wheel the mirror carries. */
function mirrorPipWheel(): string | undefined {
  const mirror = findMirror()
  if (!mirror) return undefined
  const index = path.join(fileURLToPath(mirror), 'pip', 'index.html')
  const links = [...fs.readFileSync(index, 'utf8').matchAll(/href="([^"#]+\.whl)/g)].map(m =>
    path.resolve(path.dirname(index), m[1])
  )
  return links.sort().at(-1)
}

/** The interpreters whose pips judge: the oldest and the two newest the action supports. */
const ORACLE_PYTHONS: Minor[] = ['3.8', '3.12', '3.13']

/** One interpreter per pip version on this machine, and the mirror's newest pip. */
function oracles(): Oracle[] {
  const found: Oracle[] = []
  const seen = new Set<string>()
  for (const minor of ORACLE_PYTHONS) {
    const python = findPython(minor)?.executable
    if (!python) continue // the describe below is skipped
    const version = pipVersion(python)
    if (version && !seen.has(version)) {
      seen.add(version)
      found.push({ label: `pip ${version} (Python ${minor})`, version, python })
    }
  }
  const wheel = mirrorPipWheel()
  const host = findPython('3.12')?.executable
  if (wheel && host) {
    const version = pipVersion(host, wheel)
    if (version && !seen.has(version))
      found.push({ label: `pip ${version} (mirror)`, version, python: host, wheel })
  } else {
    console.warn('parser oracle: no local PyPI mirror, so no pip newer than the interpreters carry')
  }
  return found
}

function writeCases(dir: string, cases: CaseFiles[]): string[] {
  return cases.map((files, i) => {
    const caseDir = path.join(dir, String(i))
    for (const [name, bytes] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(caseDir, name)), { recursive: true })
      fs.writeFileSync(path.join(caseDir, name), bytes)
    }
    return path.join(caseDir, 'requirements.txt')
  })
}

function askPip(oracle: Oracle, roots: string[], dir: string): Promise<PipVerdict[]> {
  const list = path.join(dir, `roots-${oracle.label.replace(/\W+/g, '-')}.json`)
  fs.writeFileSync(list, JSON.stringify(roots))
  const child = spawn(oracle.python, [DRIVER, list], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      PIP_CONFIG_FILE: os.devNull,
      PYTHONPATH: oracle.wheel ?? '',
      ...CASE_ENV
    }
  })
  let out = ''
  let err = ''
  child.stdout.on('data', d => (out += d))
  child.stderr.on('data', d => (err += d))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code =>
      code === 0
        ? resolve(JSON.parse(out) as PipVerdict[])
        : reject(new Error(`${oracle.label}: ${err}`))
    )
  })
}

/**
 * A known quirk of old pips only, where the action reads as the upgraded pip does: pip 24 and
 * older take a UTF-32-LE BOM for UTF-16's and garble the file (fixed by pypa/pip#12795).
 */
function oldPipQuirk(oracle: Oracle, files: CaseFiles): boolean {
  const utf32le = Object.values(files).some(b => b.subarray(0, 4).equals(UTF32_LE_BOM))
  return utf32le && Number(oracle.version.split('.')[0]) < 25
}
const UTF32_LE_BOM = Buffer.from([0xff, 0xfe, 0, 0])

const at = (file: string | null, line: number | null) =>
  `${file === null ? file : path.resolve(file)}:${line}`

/**
 * Where the action and pip disagree, or undefined. The action rejects only what no pip takes, so:
 * a file every pip reads must be read alike (requirements on the same lines, the same files
 * included); a file the action rejects must be rejected by every pip, at the action's first
 * problem or at a line the action leaves to pip (one it accepted, such as an option only some
 * pips know). A file every pip rejects may pass the action when it leaves the line to pip: an
 * option (which pips know differs), a path (pip looks it up from where it runs).
 */
function disagreement(action: ParsedRequirements, verdicts: PipVerdict[], labels: string[]) {
  const accepted = new Set(action.entries.map(e => at(e.file, e.line)))
  const requirements = action.entries
    .filter(e => e.kind === 'requirement' || e.kind === 'editable')
    .map(e => at(e.file, e.line))
  const problem = action.problems[0]
  const out: string[] = []
  verdicts.forEach((verdict, i) => {
    const pip = labels[i]
    if (problem) {
      if (verdict.ok)
        out.push(
          `the action rejects ${at(problem.file, problem.line)} (${problem.message}); ${pip} accepts the file`
        )
      else if (
        verdict.line !== null &&
        at(verdict.file, verdict.line) !== at(problem.file, problem.line) &&
        !accepted.has(at(verdict.file, verdict.line))
      )
        out.push(
          `the action rejects ${at(problem.file, problem.line)}; ${pip} fails at ${at(verdict.file, verdict.line)}: ${verdict.error}`
        )
    } else if (verdict.ok) {
      const theirs = [...new Set(verdict.requirements.map(([f, l]) => at(f, l)))].sort()
      const ours = [...new Set(requirements)].sort()
      if (JSON.stringify(theirs) !== JSON.stringify(ours))
        out.push(
          `requirements: the action ${JSON.stringify(ours)}, ${pip} ${JSON.stringify(theirs)}`
        )
      if (
        JSON.stringify([...new Set(verdict.files.map(f => path.resolve(f)))].sort()) !==
        JSON.stringify([...action.files].sort())
      )
        out.push(
          `files: the action ${JSON.stringify(action.files)}, ${pip} ${JSON.stringify(verdict.files)}`
        )
    }
  })
  return out
}

/**
 * Lines whose marker every pip rejects that the action lets through (pip's message has no line
 * then). Every pip must fail on the same line: a marker only some pips take moves the others on.
 */
function markerMisses(action: ParsedRequirements, verdicts: PipVerdict[]): string[] {
  const rejected = new Set(action.problems.map(p => at(p.file, p.line)))
  const failures = verdicts.map(v => (v.ok ? undefined : v))
  if (failures.length === 0 || failures.some(v => !v || !/marker/i.test(v.error))) return []
  const where = at(failures[0]!.file, failures[0]!.line)
  if (failures.some(v => at(v!.file, v!.line) !== where)) return []
  return rejected.has(where)
    ? []
    : [`every pip rejects the marker on ${where}; the action accepts it`]
}

describe.skipIf(lacks(...ORACLE_PYTHONS))('the action parses requirement files as pip does', () => {
  const pips = oracles()
  const dirs: string[] = []
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  })

  async function compare(
    count: number,
    options: GeneratorOptions,
    judge: (action: ParsedRequirements, verdicts: PipVerdict[], labels: string[]) => string[]
  ): Promise<void> {
    const seed = Number(process.env.VG_ORACLE_SEED ?? 20261128)
    const random = prng(seed)
    const cases = Array.from({ length: count }, () => generateCase(random, options))
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-oracle-'))
    dirs.push(dir)
    const roots = writeCases(dir, cases)
    // The pips side by side: each reads every case in one run.
    const verdicts = await Promise.all(pips.map(pip => askPip(pip, roots, dir)))
    const labels = pips.map(p => p.label)
    const found: string[] = []
    roots.forEach((root, i) => {
      const action = parseRequirementFiles([root], file => fs.readFileSync(file), {
        env: CASE_ENV,
        os: 'linux'
      })
      const counted = pips.flatMap((pip, p) => (oldPipQuirk(pip, cases[i]) ? [] : [p]))
      const problems = judge(
        action,
        counted.map(p => verdicts[p][i]),
        counted.map(p => labels[p])
      )
      if (problems.length > 0) {
        const files = Object.fromEntries(
          Object.entries(cases[i])
            .filter(([f]) => !f.startsWith('proj/'))
            .map(([f, b]) => [f, b.toString('latin1')])
        )
        found.push(`case ${i}: ${problems.join('\n  ')}\n  files: ${JSON.stringify(files)}`)
      }
    })
    expect(
      found.length,
      `seed ${seed} (VG_ORACLE_SEED=${seed} reproduces it), ${found.length} of ${count} cases disagree; the first:\n${found.slice(0, 5).join('\n')}`
    ).toBe(0)
  }

  // Minutes, not seconds, when the machine's cores are shared by many test runs.
  const SLOW = 900_000

  it(
    `agrees on ${CASES} generated projects with ${pips.map(p => p.label).join(', ')}`,
    async () => {
      expect(pips.length).toBeGreaterThanOrEqual(3)
      await compare(CASES, {}, disagreement)
    },
    SLOW
  )

  it(
    'rejects every marker that every pip rejects, on its line',
    () => compare(1000, {}, markerMisses),
    SLOW
  )

  // Abbreviated options, UTF-32 and Python's whitespace: rarer, so generated on purpose.
  const rare: RareFeature[] = ['abbreviated-options', 'utf-32', 'python-whitespace']
  for (const feature of rare) {
    it(`agrees with ${feature}`, () => compare(300, { rare: [feature] }, disagreement), SLOW)
  }
})
