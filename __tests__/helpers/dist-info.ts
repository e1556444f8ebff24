import * as fs from 'node:fs'
import * as path from 'node:path'

/**
 * A distribution's dist-info in `site`, with only what pip check reads: METADATA's headers (name,
 * version, requirements), then a body that is not a header.
 */
export function writeDistInfo(
  site: string,
  name: string,
  version: string,
  requires: string[] = []
): void {
  const dir = path.join(site, `${name}-${version}.dist-info`)
  fs.mkdirSync(dir, { recursive: true })
  const lines = [
    `Name: ${name}`,
    `Version: ${version}`,
    ...requires.map(r => `Requires-Dist: ${r}`)
  ]
  fs.writeFileSync(path.join(dir, 'METADATA'), `${lines.join('\n')}\n\nBody: not a header\n`)
}
