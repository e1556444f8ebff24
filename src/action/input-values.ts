import * as core from '@actions/core'
import * as os from 'node:os'
import * as path from 'node:path'
import { inputError } from '../report/diagnostic.js'
import { maskUrlCredentials } from '../report/secrets.js'
import { inputLines, splitWords } from '../platform/words.js'

// How one input's text becomes a value: booleans, choices, words, lines, URLs, secrets, paths;
// a wrong value fails with one annotation naming the input, the value and the fix.

export type InputReader = (name: string) => string

export const readActionInput: InputReader = name => core.getInput(name)

export function parseBoolean(input: string, value: string, fallback: boolean): boolean {
  const v = value.trim().toLowerCase()
  if (v === '') return fallback
  if (v === 'true') return true
  if (v === 'false') return false
  throw inputError(input, value, 'use true or false.')
}

export function parseChoice<T extends string>(
  input: string,
  value: string,
  choices: readonly T[],
  fallback: T
): T {
  const v = value.trim().toLowerCase()
  if (v === '') return fallback
  if ((choices as readonly string[]).includes(v)) return v as T
  throw inputError(input, value, `use one of ${choices.join(', ')}.`)
}

// C0 and C1 control characters but tab, DEL, and Unicode's line and paragraph separators: a line
// break in a path adds a line to GITHUB_PATH or starts a workflow command in the log; an escape
// sequence hides text there.
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/

/** Text with its control characters written as escapes (`\n`), for a message that quotes it. */
export function visible(text: string): string {
  return JSON.stringify(text).slice(1, -1)
}

/** A path or an argument as given, refused when it holds a control character. */
export function printable(input: string, value: string, text: string = value): string {
  const found = CONTROL.exec(text)
  if (!found) return text
  const what = text === value ? 'it' : visible(text)
  throw inputError(
    input,
    visible(value),
    `${what} contains a control character (${visible(found[0])}). Paths and arguments cannot hold line breaks or other control characters: remove it, or rename the file.`
  )
}

export function words(input: string, value: string): string[] {
  let split: string[]
  try {
    split = splitWords(value)
  } catch (error) {
    throw inputError(input, value, `${(error as Error).message}; close the quote or escape it.`)
  }
  return split.map(word => printable(input, word))
}

/** An input's non-empty lines, each refused when it holds a control character. */
export function lines(input: string, value: string): string[] {
  return inputLines(value).map(line => printable(input, line))
}

export function httpUrl(input: string, value: string, emptyMeans: string): string {
  const v = value.trim()
  if (v === '') return ''
  let protocol = ''
  try {
    protocol = new URL(v).protocol
  } catch {
    // reported below
  }
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw inputError(input, value, `use an http(s) URL, or leave it empty for ${emptyMeans}.`)
  }
  maskUrlCredentials(v)
  return v
}

/** Registered as a secret before anything could print it. */
export function secret(value: string): string {
  const v = value.trim()
  if (v) core.setSecret(v)
  return v
}

/**
 * `python-path` as the user means it: a bare name (`python3`) is looked up on PATH when it runs,
 * `~/` is the home directory, anything else is relative to working-directory.
 */
export function interpreterPath(value: string, workingDirectory: string): string {
  if (value === '') return ''
  if (!/[\\/]/.test(value)) return value
  if (value === '~' || value.startsWith('~/')) return path.join(os.homedir(), value.slice(1))
  return path.resolve(workingDirectory, value)
}
