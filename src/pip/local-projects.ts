import * as path from 'node:path'
import { isUnpinnedVcs, localSourceOf, pathKind, type PathKind } from './local-source.js'
import type { RequirementEntry } from './requirement-line.js'

/**
 * What the local sources among the requirements add to the venv's description. A local archive
 * (`./dist/x-1.0.tar.gz`) is its bytes: they go into the fingerprint, so a rebuilt archive is a new
 * venv. A local project directory (`.`, `-e .[dev]`, `./libs/x`, `name @ file:///...`, a lock's
 * `directory` package) brings in what its pyproject.toml, setup.cfg and setup.py say: those go into
 * the fingerprint, so a dependency added there is a new venv. Its code can change under the same
 * description, so a directory installed as a copy is "moving": installed on every run, never
 * cached (an editable install points at the source, so it is not).
 */

const DECIDING = ['pyproject.toml', 'setup.cfg', 'setup.py']

export interface LocalInputs {
  /** Files whose bytes decide what the local sources install. */
  files: string[]
  /** Requirements whose result can change while every input reads the same. */
  moving: string[]
}

/** A requirement as pip gets it, from a file or a lock (`entry`) or from `packages` (`arg`). */
interface Named {
  text: string
  editable: boolean
}

function named(entries: Pick<RequirementEntry, 'kind' | 'text'>[], packages: string[]): Named[] {
  return [
    ...entries
      .filter(e => e.kind === 'requirement' || e.kind === 'editable')
      .map(e => ({ text: e.text.split(/\s+--/)[0], editable: e.kind === 'editable' })),
    // `-e` and its value are separate arguments in packages.
    ...packages.flatMap((arg, i) =>
      arg.startsWith('-')
        ? []
        : [{ text: arg, editable: packages[i - 1] === '-e' || packages[i - 1] === '--editable' }]
    )
  ]
}

/**
 * The local inputs of every requirement and `packages` argument. pip resolves their paths against
 * its working directory, also inside requirements files. Only regular files are read for the
 * fingerprint: a setup.py linked to /dev/zero never ends.
 */
export function localInputs(
  entries: Pick<RequirementEntry, 'kind' | 'text'>[],
  packages: string[],
  cwd: string,
  kindOf: (file: string) => PathKind = pathKind
): LocalInputs {
  const files = new Set<string>()
  const moving: string[] = []
  for (const { text, editable } of named(entries, packages)) {
    const source = localSourceOf(text, cwd, kindOf)
    if (source?.kind === 'archive') files.add(source.path)
    if (source?.kind === 'directory') {
      for (const file of DECIDING.map(f => path.join(source.path, f))) {
        if (kindOf(file) === 'file') files.add(file)
      }
    }
    const changing = source ? source.kind !== 'archive' : isUnpinnedVcs(text)
    if (changing && !editable) moving.push(text)
  }
  return { files: [...files], moving }
}
