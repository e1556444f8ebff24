import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'

/**
 * A digest of a venv's names, and its files' sizes and times: taken when main is done and again
 * in post, it tells whether later steps changed the venv, which must then not be saved under a
 * key that names only what this action installed. Left out: `__pycache__` (Python's own cache,
 * written on import), and directories' times, which such writes change.
 */
export function venvSnapshot(venv: string): string {
  const hash = createHash('sha256')
  const walk = (relative: string): void => {
    const entries = fs.readdirSync(path.join(venv, relative), { withFileTypes: true })
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const name = path.join(relative, entry.name)
      if (entry.isDirectory()) {
        if (entry.name === '__pycache__') continue
        hash.update(`${name}/\n`)
        walk(name)
      } else if (entry.isSymbolicLink()) {
        hash.update(`${name} -> ${fs.readlinkSync(path.join(venv, name))}\n`)
      } else {
        const stat = fs.statSync(path.join(venv, name))
        hash.update(`${name}\0${stat.size}\0${stat.mtimeMs}\n`)
      }
    }
  }
  walk('')
  return hash.digest('hex')
}
