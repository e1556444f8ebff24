/**
 * PEP 508 dependency specifiers, checked the way pip 25.1+ checks a dependency group's items
 * (its vendored packaging's `_tokenizer.py` and `_parser.py`, ported rule for rule), so that an
 * invalid item is annotated on its line before pip runs; pip itself crashes on one with a
 * traceback. Requirement files keep their own, more lenient reader (requirements.ts): older pips
 * accept legacy forms there.
 */

/** The name, and the marker as written (after `;`), when it has one. */
export type Pep508Result = { name: string; marker?: string } | { error: string; column: number }

const VERSION_TAIL = String.raw`(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?(?:[-_.]?dev[-_.]?[0-9]*)?`
const SPECIFIER = new RegExp(
  [
    String.raw`===\s*[^\s;)]*`,
    String.raw`(?:==|!=)\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:\.\*|${VERSION_TAIL}(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?)?`,
    String.raw`~=\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)+${VERSION_TAIL}`,
    String.raw`(?:<=|>=|<|>)\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*${VERSION_TAIL}`
  ].join('|'),
  'iy'
)

const RULES = {
  LEFT_PARENTHESIS: /\(/y,
  RIGHT_PARENTHESIS: /\)/y,
  LEFT_BRACKET: /\[/y,
  RIGHT_BRACKET: /\]/y,
  SEMICOLON: /;/y,
  COMMA: /,/y,
  QUOTED_STRING: /'[^']*'|"[^"]*"/y,
  OP: /===|==|~=|!=|<=|>=|<|>/y,
  BOOLOP: /\b(?:or|and)\b/y,
  IN: /\bin\b/y,
  NOT: /\bnot\b/y,
  VARIABLE:
    /\b(?:python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)|extras?|dependency_groups)\b/y,
  SPECIFIER,
  AT: /@/y,
  URL: /[^ \t]+/y,
  IDENTIFIER: /\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b/y,
  VERSION_PREFIX_TRAIL: /\.\*/y,
  VERSION_LOCAL_LABEL_TRAIL: /\+[a-z0-9]+(?:[-_.][a-z0-9]+)*/y,
  WS: /[ \t]+/y,
  // Python's `$` also matches before a final newline.
  END: /(?=\n?$)/y
} as const
type TokenName = keyof typeof RULES

class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly column: number
  ) {
    super(message)
  }
}

/** packaging's context-sensitive tokenizer: each rule is tried only where the grammar allows it. */
class Tokenizer {
  position = 0
  private next?: string

  constructor(private readonly source: string) {}

  check(name: TokenName, peek = false): boolean {
    const rule = RULES[name]
    rule.lastIndex = this.position
    const match = rule.exec(this.source)
    if (!match) return false
    if (!peek) this.next = match[0]
    return true
  }

  read(): string {
    const text = this.next ?? ''
    this.position += text.length
    this.next = undefined
    return text
  }

  consume(name: TokenName): void {
    if (this.check(name)) this.read()
  }

  expect(name: TokenName, expected: string): string {
    if (!this.check(name)) this.fail(`Expected ${expected}`)
    return this.read()
  }

  fail(message: string, at = this.position): never {
    throw new SyntaxProblem(message, at)
  }

  enclosed(open: TokenName, close: TokenName, around: string, inside: () => void): void {
    const opened = this.check(open) ? this.position : undefined
    if (opened !== undefined) this.read()
    inside()
    if (opened === undefined) return
    if (!this.check(close)) {
      this.fail(`Expected matching ${close} for ${open}, after ${around}`, opened)
    }
    this.read()
  }
}

function extras(t: Tokenizer): void {
  if (!t.check('LEFT_BRACKET', true)) return
  t.enclosed('LEFT_BRACKET', 'RIGHT_BRACKET', 'extras', () => {
    t.consume('WS')
    if (t.check('IDENTIFIER')) {
      t.read()
      for (;;) {
        t.consume('WS')
        if (t.check('IDENTIFIER', true)) t.fail('Expected comma between extra names')
        if (!t.check('COMMA')) break
        t.read()
        t.consume('WS')
        t.expect('IDENTIFIER', 'extra name after comma')
      }
    }
    t.consume('WS')
  })
}

/** The version specifiers read, as one string (`>=1,<2`). */
function specifier(t: Tokenizer): string {
  let found = ''
  t.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'version specifier', () => {
    t.consume('WS')
    while (t.check('SPECIFIER')) {
      const start = t.position
      found += t.read()
      if (t.check('VERSION_PREFIX_TRAIL', true)) {
        t.fail('.* suffix can only be used with `==` or `!=` operators', start)
      }
      if (t.check('VERSION_LOCAL_LABEL_TRAIL', true)) {
        t.fail('Local version label can only be used with `==` or `!=` operators', start)
      }
      t.consume('WS')
      if (!t.check('COMMA')) break
      found += t.read()
      t.consume('WS')
    }
    t.consume('WS')
  })
  return found
}

const ONE_SPECIFIER = new RegExp(`^\\s*(?:${SPECIFIER.source})\\s*$`, 'i')

/**
 * packaging's SpecifierSet splits the text on commas and checks each part again: `===` takes
 * anything up to a space, so `foo===,<` passes the parser and fails here.
 */
function checkSpecifiers(text: string): void {
  for (const part of text.split(',').map(s => s.trim())) {
    if (part !== '' && !ONE_SPECIFIER.test(part)) {
      throw new SyntaxProblem(`Invalid specifier: '${part}'`, 0)
    }
  }
}

function markerVar(t: Tokenizer): void {
  if (t.check('VARIABLE') || t.check('QUOTED_STRING')) t.read()
  else t.fail('Expected a marker variable or quoted string')
}

function markerAtom(t: Tokenizer): void {
  t.consume('WS')
  if (t.check('LEFT_PARENTHESIS', true)) {
    t.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'marker expression', () => {
      t.consume('WS')
      marker(t)
      t.consume('WS')
    })
  } else {
    markerVar(t)
    t.consume('WS')
    if (t.check('IN')) t.read()
    else if (t.check('NOT')) {
      t.read()
      t.expect('WS', "whitespace after 'not'")
      t.expect('IN', "'in' after 'not'")
    } else if (t.check('OP')) t.read()
    else t.fail('Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in')
    t.consume('WS')
    markerVar(t)
  }
  t.consume('WS')
}

function marker(t: Tokenizer): void {
  markerAtom(t)
  while (t.check('BOOLOP')) {
    t.read()
    markerAtom(t)
  }
}

/** Where the marker starts. */
function requirementMarker(t: Tokenizer, expected: string, start: number): number {
  if (!t.check('SEMICOLON')) t.fail(`Expected ${expected} or end`, start)
  t.read()
  const at = t.position
  marker(t)
  t.consume('WS')
  return at
}

/** The version specifiers, if any, and where the marker starts. */
function details(t: Tokenizer): { specifiers: string; markerAt?: number } {
  if (t.check('AT')) {
    t.read()
    t.consume('WS')
    const start = t.position
    t.expect('URL', 'URL after @')
    if (t.check('END', true)) return { specifiers: '' }
    t.expect('WS', 'whitespace after URL')
    if (t.check('END', true)) return { specifiers: '' }
    return {
      specifiers: '',
      markerAt: requirementMarker(t, 'semicolon (after URL and whitespace)', start)
    }
  }
  const start = t.position
  const found = specifier(t)
  t.consume('WS')
  if (t.check('END', true)) return { specifiers: found }
  const markerAt = requirementMarker(
    t,
    found
      ? 'comma (within version specifier), semicolon (after version specifier)'
      : 'semicolon (after name with no version specifier)',
    start
  )
  return { specifiers: found, markerAt }
}

/** The requirement's project name, or packaging's complaint and the column it points at. */
export function parsePep508(source: string): Pep508Result {
  const t = new Tokenizer(source)
  try {
    t.consume('WS')
    const name = t.expect('IDENTIFIER', 'package name at the start of dependency specifier')
    t.consume('WS')
    extras(t)
    t.consume('WS')
    const { specifiers, markerAt } = details(t)
    t.expect('END', 'end of dependency specifier')
    checkSpecifiers(specifiers)
    return markerAt === undefined ? { name } : { name, marker: source.slice(markerAt).trim() }
  } catch (error) {
    if (!(error instanceof SyntaxProblem)) throw error
    return { error: error.message, column: error.column }
  }
}
