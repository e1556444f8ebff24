/**
 * PEP 508 environment markers, checked as every pip still in use would check them: a line whose
 * marker no pip parses is a problem on that line before pip runs (pip 23 crashes on it with
 * InvalidMarker and pip 26 does not quote it, so pip's own message points nowhere).
 */

/** Marker variables of PEP 508, the dotted forms pip 23 (packaging 21) still takes, and PEP 751's. */
const VARIABLES = new Set([
  'python_version',
  'python_full_version',
  'os_name',
  'sys_platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform_machine',
  'platform_python_implementation',
  'implementation_name',
  'implementation_version',
  'extra',
  'extras',
  'dependency_groups',
  'os.name',
  'sys.platform',
  'platform.version',
  'platform.machine',
  'platform.python_implementation',
  'python_implementation'
])

const TOKEN =
  /\s*(?:(\()|(\))|('[^']*'|"[^"]*")|(===|==|!=|<=|>=|~=|<|>)|(not\s+in|in|and|or)(?![\w.])|([A-Za-z_][\w.]*))/y

type Token = { kind: 'open' | 'close' | 'string' | 'op' | 'word' | 'name'; text: string }

function tokens(marker: string): Token[] | undefined {
  const found: Token[] = []
  const kinds = ['open', 'close', 'string', 'op', 'word', 'name'] as const
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < marker.length) {
    if (/^\s*$/.test(marker.slice(TOKEN.lastIndex))) break
    const m = TOKEN.exec(marker)
    if (!m) return undefined
    const index = m.slice(1).findIndex(g => g !== undefined)
    found.push({ kind: kinds[index], text: m[index + 1].replace(/\s+/g, ' ') })
  }
  return found
}

/** Whether pip would parse this marker (the text after a requirement's `;`). */
export function isValidMarker(marker: string): boolean {
  const list = tokens(marker)
  if (!list || list.length === 0) return false
  let at = 0
  const peek = () => list[at]
  const value = (): boolean => {
    const t = list[at++]
    return t !== undefined && (t.kind === 'string' || (t.kind === 'name' && VARIABLES.has(t.text)))
  }
  const atom = (): boolean => {
    if (peek()?.kind === 'open') {
      at++
      if (!or()) return false
      return list[at++]?.kind === 'close'
    }
    if (!value()) return false
    const op = list[at++]
    const isOp = op?.kind === 'op' || (op?.kind === 'word' && /^(in|not in)$/.test(op.text))
    return isOp && value()
  }
  const chain = (joiner: string, part: () => boolean) => (): boolean => {
    if (!part()) return false
    while (peek()?.kind === 'word' && peek()?.text === joiner) {
      at++
      if (!part()) return false
    }
    return true
  }
  const and = chain('and', atom)
  const or = chain('or', and)
  return or() && at === list.length
}
