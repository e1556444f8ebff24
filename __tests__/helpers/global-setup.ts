import { WHEELHOUSE } from './paths.js'
import { missingPythons } from './pythons.js'
import { buildWheelhouse, isFreshWheelhouse } from '../../scripts/wheelhouse.mjs'

export default function setup(): () => void {
  try {
    // Built when missing or stale only (scripts/wheelhouse.mjs): unit-only runs pay nothing.
    if (!isFreshWheelhouse(WHEELHOUSE)) buildWheelhouse(WHEELHOUSE)
  } catch (error) {
    // Thrown, vitest would bury it under "No test files found" and a stack trace.
    console.error(
      `\nThe tests cannot run: ${error instanceof Error ? error.message : String(error)}\n`
    )
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
    if (missing.length > 0) console.warn(`\nSkipped the tests that need ${missing.join('; ')}.\n`)
  }
}
