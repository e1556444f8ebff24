import { describe, expect, it } from 'vitest'
import { inputLines, splitWords } from '../../src/platform/words.js'

describe('splitWords', () => {
  it.each([
    [
      '--index-url https://x/simple --prefer-binary',
      ['--index-url', 'https://x/simple', '--prefer-binary']
    ],
    ['"a b" \'c d\' e\\ f', ['a b', 'c d', 'e f']],
    ['; rm -rf ~', [';', 'rm', '-rf', '~']],
    ['$(whoami) `id` $HOME', ['$(whoami)', '`id`', '$HOME']],
    ['--config-settings="--build-option=--x y"', ['--config-settings=--build-option=--x y']],
    ['a\nb', ['a', 'b']],
    ['""', ['']],
    ['', []]
  ])('%j', (text, words) => {
    expect(splitWords(text)).toEqual(words)
  })

  it('refuses an unterminated quote', () => {
    expect(() => splitWords('"open')).toThrow(/unterminated/)
  })
})

describe('inputLines', () => {
  it('drops blank lines and comment lines', () => {
    expect(inputLines('a\n\n  # note\n b \r\nc')).toEqual(['a', 'b', 'c'])
  })
})
