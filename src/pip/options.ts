/**
 * The options of a requirements-file line, parsed as pip parses them: Python's optparse over the
 * options pip takes in a file. Which options exist differs between pips, so the table is their
 * union from pip 22 to 26: a line that parses here may still be refused by an older pip, and
 * that is left to pip.
 */

/** Long option -> whether it takes a value. */
const LONG: Record<string, boolean> = {
  '--index-url': true,
  '--pypi-url': true,
  '--extra-index-url': true,
  '--no-index': false,
  '--constraint': true,
  '--requirement': true,
  '--editable': true,
  '--find-links': true,
  '--no-binary': true,
  '--only-binary': true,
  '--prefer-binary': false,
  '--require-hashes': false,
  '--no-require-hashes': false,
  '--pre': false,
  '--all-releases': true,
  '--only-final': true,
  '--trusted-host': true,
  '--use-feature': true,
  '--install-option': true,
  '--global-option': true,
  '--hash': true,
  '--config-settings': true
}

/** Every short option pip takes in a file takes a value. */
const SHORT: Record<string, string> = {
  '-i': '--index-url',
  '-c': '--constraint',
  '-r': '--requirement',
  '-e': '--editable',
  '-f': '--find-links',
  '-C': '--config-settings'
}

/**
 * optparse's _match_abbrev: an option written in full, or a prefix of exactly one option
 * (`--requirem` is --requirement; `--re` could be --requirement or --require-hashes).
 */
function longOption(written: string): string | undefined {
  if (written in LONG) return written
  const matches = Object.keys(LONG).filter(option => option.startsWith(written))
  return matches.length === 1 ? matches[0] : undefined
}

/**
 * The values given to options that take one (by long name, in order), as optparse reads the
 * shell-split words: `-rfile`, `-r file`, `--requirement=file`, `--requirem file`; a word after
 * such an option is its value even if it starts with `-`; `--` ends the options. An option
 * unknown here or ambiguous is skipped: pip refuses the line then (or, being newer than this
 * table, knows it), and says why.
 */
export function parseOptions(words: string[]): Map<string, string[]> {
  const values = new Map<string, string[]>()
  const rest = [...words]
  while (rest.length > 0) {
    const word = rest.shift() as string
    if (word === '--') break
    let option: string | undefined
    let value: string | undefined
    if (word.startsWith('--')) {
      const equals = word.indexOf('=')
      option = longOption(equals === -1 ? word : word.slice(0, equals))
      if (option === undefined || !LONG[option]) continue
      value = equals === -1 ? rest.shift() : word.slice(equals + 1)
    } else if (word.startsWith('-') && word.length > 1) {
      // Every short option takes a value: the rest of the word, else the next word.
      option = SHORT[word.slice(0, 2)]
      if (option === undefined) continue
      value = word.length > 2 ? word.slice(2) : rest.shift()
    }
    if (option !== undefined && value !== undefined) {
      values.set(option, [...(values.get(option) ?? []), value])
    }
  }
  return values
}
