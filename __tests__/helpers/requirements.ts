import * as path from 'node:path'
import { parseRequirementFiles, type ParseContext } from '../../src/pip/requirements.js'

export const LINUX: ParseContext = { env: {}, os: 'linux' }

/** Parses requirements files held in memory, by absolute path, as if they were on disk. */
export function parseInMemory(
  files: Record<string, string | Buffer>,
  roots = [Object.keys(files)[0]],
  context = LINUX
) {
  return parseRequirementFiles(
    roots,
    file => {
      const content = files[file]
      if (content === undefined) {
        throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' })
      }
      return Buffer.isBuffer(content) ? content : Buffer.from(content)
    },
    context
  )
}

/** A case of scripts/pip-failure-cases.mjs as pip saw it: its files under /project. */
export function parseCase(files: Record<string, string>) {
  const absolute = Object.fromEntries(
    Object.entries(files).map(([file, content]) => [path.join('/project', file), content])
  )
  return parseInMemory(absolute, ['/project/requirements.txt'])
}
