import { PACKAGING_22 } from './markers.js'

/**
 * PEP 508 markers evaluated for an interpreter's marker environment (the probe's `markers`), as
 * pip decides which of several lines naming one project it takes (mypy's `typing_extensions>=4.6;
 * python_version < "3.13"` and `typing_extensions>=4.12; python_version >= "3.13"`). Three-valued:
 * what this cannot decide as packaging would (a pre-release, a variable the environment lacks) is
 * undefined, and a caller then keeps the line.
 */

export type MarkerEnvironment = Readonly<Record<string, string>>

type Truth = boolean | undefined

/** `3.13`, `3.12.1`, and `3.*` on the right of == and !=; anything else is not compared as a version. */
function release(text: string): number[] | undefined {
  return /^\d+(?:\.\d+)*$/.test(text) ? text.split('.').map(Number) : undefined
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return Math.sign(d)
  }
  return 0
}

const startsWithRelease = (version: number[], prefix: number[]) =>
  prefix.every((part, i) => (version[i] ?? 0) === part)

/** packaging's _eval_op: a version specifier when the right side makes one, else Python's string operators. */
function evalOp(lhs: string, op: string, rhs: string): Truth {
  const normalized = op.replace(/\s+/g, ' ')
  if (normalized === 'in') return rhs.includes(lhs)
  if (normalized === 'not in') return !rhs.includes(lhs)
  if (normalized === '===') return lhs === rhs
  const left = release(lhs)
  const wildcard = /^(.*)\.\*$/.exec(rhs)
  const right = release(wildcard ? wildcard[1] : rhs)
  if (right && wildcard) {
    if (!left || !['==', '!='].includes(op)) return undefined
    return startsWithRelease(left, right) === (op === '==')
  }
  if (right) {
    // A pre-release or local version on the left: PEP 440 rules this does not model.
    if (!left) return undefined
    const c = compare(left, right)
    const byOp: Record<string, Truth> = {
      '==': c === 0,
      '!=': c !== 0,
      '<': c < 0,
      '<=': c <= 0,
      '>': c > 0,
      '>=': c >= 0,
      '~=': right.length > 1 ? c >= 0 && startsWithRelease(left, right.slice(0, -1)) : undefined
    }
    return byOp[op]
  }
  const byString: Record<string, Truth> = {
    '==': lhs === rhs,
    '!=': lhs !== rhs,
    '<': lhs < rhs,
    '<=': lhs <= rhs,
    '>': lhs > rhs,
    '>=': lhs >= rhs
  }
  return byString[op]
}

const and = (a: Truth, b: Truth): Truth =>
  a === false || b === false ? false : a === undefined || b === undefined ? undefined : true
const or = (a: Truth, b: Truth): Truth =>
  a === true || b === true ? true : a === undefined || b === undefined ? undefined : false

/** Whether the marker holds in this environment; undefined when it cannot be told. */
export function evaluateMarker(marker: string, env: MarkerEnvironment): Truth {
  const d = PACKAGING_22
  let at = 0
  const take = (token: RegExp): string | undefined => {
    d.space.lastIndex = at
    d.space.test(marker)
    token.lastIndex = d.space.lastIndex
    const m = token.exec(marker)
    if (!m) return undefined
    at = token.lastIndex
    return m[0]
  }
  const value = (): { text?: string } | undefined => {
    const variable = take(d.variable)
    if (variable) return { text: env[variable.replace('.', '_')] }
    const string = take(d.string)
    return string === undefined ? undefined : { text: string.slice(1, -1) }
  }
  // Throws on what the grammar refuses: the caller's try makes it undefined.
  const atom = (): Truth => {
    if (take(d.open)) {
      const inner = expression()
      if (!take(d.close)) throw new Error('unclosed')
      return inner
    }
    const lhs = value()
    const op = take(d.op)
    const rhs = op === undefined ? undefined : value()
    if (!lhs || !op || !rhs) throw new Error('not a comparison')
    return lhs.text === undefined || rhs.text === undefined
      ? undefined
      : evalOp(lhs.text, op, rhs.text)
  }
  const conjunction = (): Truth => {
    let result = atom()
    while (take(/\band\b/y)) result = and(result, atom())
    return result
  }
  const expression = (): Truth => {
    let result = conjunction()
    while (take(/\bor\b/y)) result = or(result, conjunction())
    return result
  }
  try {
    const result = expression()
    return take(/$/y) === undefined ? undefined : result
  } catch {
    return undefined
  }
}
