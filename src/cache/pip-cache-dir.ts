import * as fs from 'node:fs'
import * as path from 'node:path'
import { pipCacheDir } from '../platform/os.js'
import { warn } from '../report/log.js'

/** pip's cache directory for this run's pip runs: the last --cache-dir/--no-cache-dir in pip-args wins. */
export function pipCacheDirOf(
  pipArgs: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  home: string
): string | undefined {
  for (let i = pipArgs.length - 1; i >= 0; i--) {
    const arg = pipArgs[i]
    if (arg === '--no-cache-dir') return undefined
    if (arg.startsWith('--cache-dir=')) return path.resolve(cwd, arg.slice('--cache-dir='.length))
    if (arg === '--cache-dir' && i + 1 < pipArgs.length) return path.resolve(cwd, pipArgs[i + 1])
  }
  const dir = pipCacheDir(env, home)
  return dir && path.resolve(cwd, dir)
}

/**
 * What pip puts in its cache directory (pip 8 to 26): its HTTP caches, the wheels it built, and
 * its self-check state. A directory holding anything else is not pip's alone (`--cache-dir .`
 * names the workspace, `.git/config` and its token included), and is never archived.
 */
const PIP_OWN: Record<string, 'dir' | 'file'> = {
  http: 'dir',
  'http-v2': 'dir',
  wheels: 'dir',
  selfcheck: 'dir',
  'selfcheck.json': 'file'
}

export interface TopEntry {
  name: string
  kind: 'dir' | 'file' | 'other'
}

/** The entries of a pip cache directory that pip does not put there; symbolic links never are. */
export function foreignEntries(entries: TopEntry[]): string[] {
  return entries
    .filter(entry => PIP_OWN[entry.name] !== entry.kind)
    .map(entry => entry.name)
    .sort()
}

/** Why `dir` must not be archived as pip's cache, or undefined when it holds pip's cache alone. */
export function pipCacheProblem(dir: string): string | undefined {
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  const foreign = foreignEntries(
    entries.map(entry => ({
      name: entry.name,
      kind: entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other'
    }))
  )
  if (foreign.length === 0) return undefined
  const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ', …' : '')
  return (
    `Cache: pip's cache ${dir} holds ${shown} (${foreign.length} not pip's), so it is not cached: ` +
    `only a directory that holds pip's cache alone is archived. Give pip a --cache-dir of its own.`
  )
}

/** Whether pip's cache directory holds pip's cache alone; a warning when not. */
export function pipCacheIsPips(dir: string): boolean {
  const problem = pipCacheProblem(dir)
  if (problem) warn(problem)
  return problem === undefined
}
