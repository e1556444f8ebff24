import * as fs from 'node:fs'
import { WHEELHOUSE } from './paths.js'
import { buildWheelhouse } from '../../scripts/wheelhouse.mjs'

export default function setup(): void {
  fs.rmSync(WHEELHOUSE, { recursive: true, force: true })
  try {
    buildWheelhouse(WHEELHOUSE)
  } catch (error) {
    // Thrown, vitest would bury it under "No test files found" and a stack trace.
    console.error(
      `\nThe tests cannot run: ${error instanceof Error ? error.message : String(error)}\n`
    )
    process.exit(1)
  }
}
