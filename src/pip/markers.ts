/**
 * PEP 508 environment markers, checked as the pips still in use parse them: a line whose marker
 * no pip parses is a problem on that line before pip runs (pip 23 crashes on it with
 * InvalidMarker and pip 26 does not quote it, so pip's own message points nowhere). A marker any
 * pip takes is left to pip.
 */

/** The tokens of one grammar, each matched where the parser stands (sticky). */
export interface Dialect {
  /** What the parser does to the text first. */
  prepare: (marker: string) => string
  space: RegExp
  open: RegExp
  close: RegExp
  variable: RegExp
  string: RegExp
  op: RegExp
  boolop: RegExp
}

/** Python's str.expandtabs(): tab stops every 8 columns. */
function expandTabs(text: string): string {
  let out = ''
  let column = 0
  for (const ch of text) {
    const width = ch === '\t' ? 8 - (column % 8) : 1
    out += ch === '\t' ? ' '.repeat(width) : ch
    column += width
  }
  return out
}

/**
 * packaging 21.3 (pip 23): pyparsing literals, which match a prefix with no word boundary, so
 * `python_versionin "3"` and `"3" andextra == "x"` parse; `not in` with exactly one space, after
 * pyparsing has expanded the tabs (so `not\tin` parses only where that tab is one column wide).
 */
const PACKAGING_21: Dialect = {
  prepare: expandTabs,
  space: /[ \t\n\r]*/y,
  open: /\(/y,
  close: /\)/y,
  variable:
    /implementation_version|platform_python_implementation|implementation_name|python_full_version|platform_release|platform_version|platform_machine|platform_system|python_version|sys_platform|os_name|os\.name|sys\.platform|platform\.version|platform\.machine|platform\.python_implementation|python_implementation|extra/y,
  string: /'[^'\n\r]*'|"[^"\n\r]*"/y,
  op: /===|==|>=|<=|!=|~=|>|<|not in|in/y,
  boolop: /and|or/y
}

/** A Python string literal in `quote`s whose escapes are all valid (\N{...} names unchecked). */
function pythonString(quote: string): string {
  const escape = String.raw`\\(?:x[\da-fA-F]{2}|u[\da-fA-F]{4}|U(?:000[\da-fA-F]|0010)[\da-fA-F]{4}|N\{[^}]*\}|[^xuUN${quote}])`
  return String.raw`${quote}(?:[^${quote}\\]|${escape})*${quote}`
}

/**
 * packaging 22 and later (pip 24 on): a tokenizer with word boundaries, PEP 751's two variables,
 * and strings read as Python literals (`"3\"` or `"\x4"` crash it with a SyntaxError).
 */
export const PACKAGING_22: Dialect = {
  prepare: marker => marker,
  space: /[ \t]*/y,
  open: /\(/y,
  close: /\)/y,
  variable:
    /\b(?:python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)|extras?|dependency_groups)\b/y,
  string: new RegExp(`${pythonString("'")}|${pythonString('"')}`, 'y'),
  op: /===|==|~=|!=|<=|>=|<|>|\bin\b|\bnot[ \t]+in\b/y,
  boolop: /\b(?:or|and)\b/y
}

/** Whether the grammar parses the whole marker: atom (boolop atom)*, atom = ( marker ) | var op var. */
function parses(text: string, dialect: Dialect): boolean {
  const marker = dialect.prepare(text)
  let at = 0
  const take = (token: RegExp): boolean => {
    dialect.space.lastIndex = at
    dialect.space.test(marker)
    token.lastIndex = dialect.space.lastIndex
    if (!token.test(marker)) return false
    at = token.lastIndex
    return true
  }
  const value = () => take(dialect.variable) || take(dialect.string)
  const atom = (): boolean =>
    take(dialect.open)
      ? expression() && take(dialect.close)
      : value() && take(dialect.op) && value()
  const expression = (): boolean => {
    if (!atom()) return false
    while (take(dialect.boolop)) if (!atom()) return false
    return true
  }
  return expression() && take(/$/y)
}

/** Whether some pip parses this marker (the text after a requirement's `;`, stripped). */
export function isValidMarker(marker: string): boolean {
  return parses(marker, PACKAGING_21) || parses(marker, PACKAGING_22)
}
