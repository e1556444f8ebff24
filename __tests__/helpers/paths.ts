import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
/**
 * Built by global-setup.ts when missing or stale, and kept from run to run outside the run's own
 * temporary directory, which the test processes learn of after this module loaded there.
 */
export const WHEELHOUSE =
  process.env.VENV_GUARD_TEST_WHEELHOUSE ?? path.join(os.tmpdir(), 'venv-guard-tests', 'wheelhouse')
