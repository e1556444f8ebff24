import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { WHEELHOUSE } from './paths.js'
import { missingPythons } from './pythons.js'
import { buildWheelhouse, isFreshWheelhouse } from '../../scripts/wheelhouse.mjs'

/**
 * One temporary directory for the whole run, which the tests' own temporary directories go into
 * (the test processes inherit TMPDIR) and which goes when the run ends: a full run makes hundreds,
 * some of a venv's size, and not every test removes its own. Open to all, as /tmp is: the
 * guard's tests run pip as a user of their own.
 */
function runTemporaryDirectory(): () => void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-tests-'))
  fs.chmodSync(root, 0o1777)
  process.env.VENV_GUARD_TEST_WHEELHOUSE = WHEELHOUSE
  for (const name of ['TMPDIR', 'TEMP', 'TMP']) process.env[name] = root
  return () => fs.rmSync(root, { recursive: true, force: true })
}

export default function setup(): () => void {
  const removeTemporary = runTemporaryDirectory()
  try {
    // Built when missing or stale only (scripts/wheelhouse.mjs): unit-only runs pay nothing.
    if (!isFreshWheelhouse(WHEELHOUSE)) buildWheelhouse(WHEELHOUSE)
  } catch (error) {
    // Thrown, vitest would bury it under "No test files found" and a stack trace.
    console.error(
      `\nThe tests cannot run: ${error instanceof Error ? error.message : String(error)}\n`
    )
    removeTemporary()
    process.exit(1)
  }
  // The tests that need what this machine lacks skip themselves (pythons.ts, guard.test.ts); this
  // is the one line that says which, printed last so that it stands beside the count of skipped.
  const missing = [
    missingPythons(),
    process.platform === 'linux' && process.getuid?.() !== 0
      ? "root (the user-site guard's tests create a user)"
      : undefined
  ].filter(Boolean)
  return () => {
    try {
      removeTemporary()
    } finally {
      if (missing.length > 0) console.warn(`\nSkipped the tests that need ${missing.join('; ')}.\n`)
    }
  }
}
