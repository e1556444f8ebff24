import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
/** Built once per test run by global-setup.ts. */
export const WHEELHOUSE = path.join(os.tmpdir(), 'venv-guard-tests', 'wheelhouse')
