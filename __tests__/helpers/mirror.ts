import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Real wheels from the local mirror of PyPI that the machine's pip configuration names
 * (`pip config list`: file:// index URLs). Tests that need a real, newer pip than the
 * interpreters bundle (pip 26 for dependency groups and pylock.toml) take it from here, and skip
 * with one line where the machine has no such mirror.
 */

function fileIndexes(): string[] {
  let listed = ''
  try {
    listed = execFileSync('python3', ['-m', 'pip', 'config', 'list'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore']
    })
  } catch {
    return []
  }
  return [...listed.matchAll(/file:\/\/[^\s'"]+/g)]
    .map(m => fileURLToPath(m[0]))
    .filter(dir => fs.existsSync(dir))
}

/** The newest wheel of a project (name-version-...whl) in the mirror's simple index, if any. */
export function mirrorWheel(project: string, version?: string): string | undefined {
  for (const index of fileIndexes()) {
    const page = path.join(index, project, 'index.html')
    if (!fs.existsSync(page)) continue
    const links = [...fs.readFileSync(page, 'utf8').matchAll(/href="([^"#]+\.whl)/g)]
      .map(m => path.resolve(path.dirname(page), decodeURIComponent(m[1])))
      .filter(file => fs.existsSync(file))
      .filter(file => !version || path.basename(file).startsWith(`${project}-${version}-`))
    if (links.length > 0) return links.sort().at(-1)
  }
  return undefined
}

const PIP_26 = mirrorWheel('pip')
/** A pip 26 wheel (dependency groups, pylock.toml) from the mirror, or undefined. */
export const MIRROR_PIP =
  PIP_26 && /pip-(2[6-9]|[3-9]\d)\./.test(path.basename(PIP_26)) ? PIP_26 : undefined
/** The line a test prints when it skips for want of the mirror. */
export const NO_MIRROR = 'no local PyPI mirror with pip 26 (pip config list names none): skipped'
