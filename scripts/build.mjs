// Bundles each entry point (src/main.ts, src/post.ts) with ncc into dist/<entry>/index.js.
// Run with a directory to build there instead (the dist check does).
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const ENTRIES = ['main', 'post'].filter(e =>
  fs.existsSync(path.join(root, 'src', `${e}.ts`))
)

/** @param {string} outRoot */
export function build(outRoot) {
  for (const entry of ENTRIES) {
    const ncc = path.join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js')
    const args = [
      'build',
      `src/${entry}.ts`,
      '-o',
      path.join(outRoot, entry),
      '--license',
      'licenses.txt',
      '--target',
      'es2022',
      '--quiet'
    ]
    execFileSync(process.execPath, [ncc, ...args], { cwd: root, stdio: 'inherit' })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Build beside the target and swap, so that a failed build leaves the old bundle in place.
  const outRoot = path.resolve(process.argv[2] ?? path.join(root, 'dist'))
  const next = `${outRoot}.next`
  fs.rmSync(next, { recursive: true, force: true })
  build(next)
  fs.rmSync(outRoot, { recursive: true, force: true })
  fs.renameSync(next, outRoot)
}
