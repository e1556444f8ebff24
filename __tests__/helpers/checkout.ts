import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { ROOT, WHEELHOUSE } from './paths.js'

/**
 * A scratch copy of the repository's `entries` (what git tracks: files left by local runs, the
 * dot-entries of example/, stay behind), this checkout's node_modules linked in, and the test
 * wheelhouse as example/.wheelhouse, where `npm run example` keeps its own.
 */
export function scratchCheckout(prefix: string, entries: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  for (const entry of entries)
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), {
      recursive: true,
      filter: source => !path.relative(ROOT, source).startsWith(`example${path.sep}.`)
    })
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'))
  fs.cpSync(WHEELHOUSE, path.join(dir, 'example', '.wheelhouse'), { recursive: true })
  return dir
}
