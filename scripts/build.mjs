// Bundles each entry point (src/bin/main.ts, src/bin/post.ts, which call run() of src/main.ts and
// src/post.ts) with ncc into dist/<entry>/index.js, and copies the Python helpers (src/**/*.py)
// beside the bundles that run them (see shippedFile in src/platform/process.ts); undici goes
// into dist/undici/index.cjs (see src/bin/lazy-undici.ts).
// Run with a directory to build there instead (the dist check does).
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const ENTRIES = ['main', 'post'].filter(e =>
  fs.existsSync(path.join(root, 'src', 'bin', `${e}.ts`))
)

/** The Python helpers in src/, by file name: in the bundle they sit side by side, so names are unique. */
export function pythonHelpers() {
  const src = path.join(root, 'src')
  const files = fs
    .readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter(f => f.endsWith('.py'))
    .sort()
  const names = files.map(f => path.basename(f))
  const twice = names.filter((n, i) => names.indexOf(n) !== i)
  if (twice.length > 0)
    throw new Error(`Python helpers must have unique names: ${twice.join(', ')}`)
  return files.map(f => path.join(src, f))
}

/** ncc's build of `input` into `out`, with the licenses of what it bundles. @param {string} input @param {string} out */
function ncc(input, out) {
  const cli = path.join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js')
  const args = ['build', input, '-o', out, '--license', 'licenses.txt', '--target', 'es2022']
  execFileSync(process.execPath, [cli, ...args, '--quiet'], { cwd: root, stdio: 'inherit' })
}

/** @param {string} outRoot */
export function build(outRoot) {
  const helpers = pythonHelpers()
  for (const entry of ENTRIES) {
    const out = path.join(outRoot, entry)
    ncc(`src/bin/${entry}.ts`, out)
    // Each helper goes beside the bundles that name it (main runs them all, post none).
    const bundled = fs
      .readdirSync(out)
      .filter(f => f.endsWith('.js'))
      .map(f => fs.readFileSync(path.join(out, f), 'utf8'))
      .join('\n')
    for (const file of helpers.filter(f => bundled.includes(`'${path.basename(f)}'`)))
      fs.copyFileSync(file, path.join(out, path.basename(file)))
  }
  // undici in a bundle of its own, which src/bin/lazy-undici.ts requires on first use only; .cjs,
  // for the package.json above dist/ says "module".
  const undici = path.join(outRoot, 'undici')
  ncc('node_modules/undici/index.js', undici)
  fs.renameSync(path.join(undici, 'index.js'), path.join(undici, 'index.cjs'))
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
