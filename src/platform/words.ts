/**
 * Splits a string into words the way a POSIX shell splits them: at blanks, tabs and line breaks
 * only, with quotes and backslash escapes, and nothing more: no expansion, no operators.
 * `; rm -rf ~` stays three literal words. With `shlex`, as Python's shlex.split (pip's for option
 * lines in requirement files): in double quotes a backslash escapes only `"` and itself, and a
 * backslash at the end is an error.
 */
export function splitWords(text: string, { shlex = false } = {}): string[] {
  const escapedInQuotes = shlex ? '"\\' : '"\\$`'
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quote === "'") {
      if (ch === "'") quote = undefined
      else word += ch
    } else if (quote === '"') {
      if (ch === '"') quote = undefined
      else if (ch === '\\' && i + 1 < text.length && escapedInQuotes.includes(text[i + 1]))
        word += text[++i]
      else word += ch
    } else if (ch === "'" || ch === '"') {
      quote = ch
      inWord = true
    } else if (ch === '\\' && i + 1 < text.length) {
      word += text[++i]
      inWord = true
    } else if (ch === '\\' && shlex) {
      throw new Error('a backslash with nothing to escape')
    } else if (' \t\r\n'.includes(ch)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      word += ch
      inWord = true
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote`)
  if (inWord) words.push(word)
  return words
}

/** Non-empty, trimmed lines; `#` starts a comment only at the beginning of a line. */
export function inputLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line !== '' && !line.startsWith('#'))
}
