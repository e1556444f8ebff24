/**
 * Splits a string into words the way a POSIX shell (and Python's shlex, which pip uses for option
 * lines) splits them: at blanks, tabs and line breaks only, with quotes and backslash escapes, and
 * nothing more: no expansion, no operators. `; rm -rf ~` stays three literal words.
 */
export function splitWords(text: string): string[] {
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
      else if (ch === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]))
        word += text[++i]
      else word += ch
    } else if (ch === "'" || ch === '"') {
      quote = ch
      inWord = true
    } else if (ch === '\\' && i + 1 < text.length) {
      word += text[++i]
      inWord = true
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
