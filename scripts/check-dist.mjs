// Proves that the committed dist/ is exactly what a fresh build of src/ produces.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { build, root } from './build.mjs'

/** @param {string} dir @returns {string[]} */
function listFiles(dir) {
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter(f => fs.statSync(path.join(dir, f)).isFile())
        .sort()
    : []
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'venv-guard-dist-'))
try {
  build(scratch)
  const dist = path.join(root, 'dist')
  const fresh = listFiles(scratch)
  const committed = listFiles(dist)
  const stale = [...new Set([...fresh, ...committed])].filter(
    f =>
      !fresh.includes(f) ||
      !committed.includes(f) ||
      !fs.readFileSync(path.join(scratch, f)).equals(fs.readFileSync(path.join(dist, f)))
  )
  if (stale.length > 0) {
    console.error(
      `dist/ is not a fresh build of src/ (${stale.map(f => `dist/${f}`).join(', ')}): run npm run build and commit dist/.`
    )
    process.exit(1)
  }
  console.log(`dist/ is a fresh build of src/ (${fresh.length} files)`)
} finally {
  fs.rmSync(scratch, { recursive: true, force: true })
}
