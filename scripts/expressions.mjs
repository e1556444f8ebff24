// The part of GitHub Actions expressions that action.yml uses (input defaults, post-if): literals,
// context properties, ! == != && || and parentheses, and the status functions. The runner evaluates
// these before the action starts; anything beyond this subset is reported as not evaluable, so that
// a caller leaves the value unset instead of passing `${{ … }}` on as text.

/** @typedef {string | number | boolean | null} Value */
/** @typedef {{ github?: Record<string, string>, status?: 'success' | 'failure' | 'cancelled' }} Context */

const TOKEN =
  /\s*('(?:[^']|'')*'|\d+(?:\.\d+)?|[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*(?:\(\))?|==|!=|&&|\|\||!|\(|\))/y

/** @param {string} text @returns {string[] | undefined} */
function tokenize(text) {
  /** @type {string[]} */
  const tokens = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break
    const m = TOKEN.exec(text)
    if (!m) return undefined
    tokens.push(m[1])
  }
  return tokens
}

/** GitHub's falsy values: false, 0, '', null. @param {Value} v */
const truthy = v => v !== false && v !== 0 && v !== '' && v !== null

/** Loose equality as GitHub does it: strings case-insensitively, other types as numbers. @param {Value} a @param {Value} b */
function equal(a, b) {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase()
  if (typeof a === typeof b) return a === b
  return Number(a ?? 0) === Number(b ?? 0)
}

/**
 * The value of an expression (the text inside `${{ }}`), or undefined when it uses more than this
 * subset. @param {string} expression @param {Context} context @returns {Value | undefined}
 */
export function evaluate(expression, context) {
  const tokens = tokenize(expression)
  if (!tokens) return undefined
  let i = 0
  /** @returns {Value} */
  const primary = () => {
    const t = tokens[i++]
    if (t === undefined) throw new Error('end')
    if (t === '(') {
      const v = or()
      if (tokens[i++] !== ')') throw new Error(')')
      return v
    }
    if (t === '!') return !truthy(primary())
    if (t.startsWith("'")) return t.slice(1, -1).replaceAll("''", "'")
    if (/^\d/.test(t)) return Number(t)
    if (t === 'true' || t === 'false') return t === 'true'
    if (t === 'null') return null
    const status = context.status ?? 'success'
    const functions = {
      'always()': true,
      'success()': status === 'success',
      'failure()': status === 'failure',
      'cancelled()': status === 'cancelled'
    }
    if (t in functions) return functions[/** @type {keyof typeof functions} */ (t)]
    const [scope, ...keys] = t.split('.')
    if (scope !== 'github' || keys.length !== 1) throw new Error(t)
    return context.github?.[keys[0]] ?? null
  }
  /**
   * A left-associative chain of operators over the next-tighter level.
   * @param {string[]} ops @param {() => Value} operand @param {(op: string, a: Value, b: Value) => Value} combine
   * @returns {() => Value}
   */
  const chain = (ops, operand, combine) => () => {
    let v = operand()
    while (ops.includes(tokens[i])) {
      const op = tokens[i++]
      v = combine(op, v, operand())
    }
    return v
  }
  const comparison = chain(['==', '!='], primary, (op, a, b) => equal(a, b) === (op === '=='))
  const and = chain(['&&'], comparison, (_, a, b) => (truthy(a) ? b : a))
  const or = chain(['||'], and, (_, a, b) => (truthy(a) ? a : b))
  try {
    const value = or()
    return i === tokens.length ? value : undefined
  } catch {
    return undefined
  }
}

/**
 * A text with `${{ }}` expressions in it, as the runner turns it into a string (null is ''), or
 * undefined when an expression is beyond this subset. @param {string} text @param {Context} context
 */
export function interpolate(text, context) {
  let unknown = false
  const result = text.replace(/\$\{\{(.*?)\}\}/gs, (_, expression) => {
    const value = evaluate(expression, context)
    if (value === undefined) unknown = true
    return value === null || value === undefined ? '' : String(value)
  })
  return unknown ? undefined : result
}
