import { getStaticTOMLValue, parseTOML, type AST } from 'toml-eslint-parser'
import type { RequirementProblem } from './requirements.js'

/**
 * TOML read with the line of every key and array item, so that a problem in pyproject.toml or a
 * lock file is annotated where it is. smol-toml gives values only; toml-eslint-parser (the parser
 * of eslint-plugin-toml) gives a full TOML 1.0 syntax tree with positions, and values from it.
 */

/** A key path as pip prints it in messages: `packages[2].name` is ['packages', 2, 'name']. */
export type TomlPath = ReadonlyArray<string | number>

export interface TomlDocument {
  value: Record<string, unknown>
  /** The 1-based line where the key (or array item) at this path is written, when it is. */
  lineOf(path: TomlPath): number | undefined
}

export class TomlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number
  ) {
    super(message)
  }
}

/**
 * The lines of the keys, as a tree by path part: noting every prefix of a dotted key of n parts
 * costs n steps, where a map keyed by whole paths cost n² (a 50,000-part key ran out of memory).
 */
interface LineNode {
  line?: number
  children: Map<string | number, LineNode>
}

function newNode(): LineNode {
  return { children: new Map() }
}

/** The child for one part, created when missing; the first place a path is named keeps its line. */
function child(node: LineNode, part: string | number, line?: number): LineNode {
  let next = node.children.get(part)
  if (!next) node.children.set(part, (next = newNode()))
  if (line !== undefined) next.line ??= line
  return next
}

function keyNames(key: AST.TOMLKey): string[] {
  return key.keys.map(k => (k.type === 'TOMLBare' ? k.name : k.value))
}

/** Records the first line of every key and item under `at`. */
function collect(node: AST.TOMLNode, at: LineNode, root: LineNode): void {
  switch (node.type) {
    case 'TOMLTopLevelTable':
      for (const item of node.body) collect(item, root, root)
      return
    case 'TOMLTable': {
      let table = root
      for (const part of node.resolvedKey) table = child(table, part)
      table.line ??= node.loc.start.line
      for (const item of node.body) collect(item, table, root)
      return
    }
    case 'TOMLKeyValue': {
      // Every dotted prefix is named here too (`a.b.c = 1` defines a and a.b).
      let value = at
      for (const name of keyNames(node.key)) value = child(value, name, node.loc.start.line)
      collect(node.value, value, root)
      return
    }
    case 'TOMLInlineTable':
      for (const item of node.body) collect(item, at, root)
      return
    case 'TOMLArray':
      node.elements.forEach((element, i) => {
        collect(element, child(at, i, element.loc.start.line), root)
      })
      return
    default:
      return
  }
}

function lineAt(root: LineNode, path: TomlPath): number | undefined {
  let node: LineNode | undefined = root
  for (const part of path) node = node?.children.get(part)
  return node?.line
}

/** Parses TOML; a syntax error is a TomlSyntaxError with its line. */
export function readToml(text: string): TomlDocument {
  let ast: AST.TOMLProgram
  try {
    ast = parseTOML(text)
  } catch (error) {
    const e = error as { message: string; lineNumber?: number }
    // An unterminated table or array is reported where the text ends: point at the last line written.
    const lines = text.split(/\r?\n/)
    let line = e.lineNumber ?? 1
    while (line > 1 && (lines[line - 1] ?? '').trim() === '') line--
    throw new TomlSyntaxError(e.message, line)
  }
  const root = newNode()
  collect(ast.body[0], root, root)
  return {
    value: getStaticTOMLValue(ast) as Record<string, unknown>,
    lineOf: path => lineAt(root, path)
  }
}

/** A TOML file pip reads (UTF-8), or its syntax error as a problem on its line. */
export function readTomlFile(file: string, bytes: Buffer): TomlDocument | RequirementProblem {
  try {
    return readToml(bytes.toString('utf8'))
  } catch (error) {
    if (!(error instanceof TomlSyntaxError)) throw error
    return {
      kind: 'invalid-requirement',
      file,
      line: error.line,
      message: `${file} is not valid TOML: ${error.message}`
    }
  }
}

/** `packages[2].wheels[0].hashes` as pip prints a path, as a TomlPath. */
export function parseTomlPath(text: string): TomlPath {
  const path: Array<string | number> = []
  for (const m of text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    path.push(m[2] === undefined ? m[1] : Number(m[2]))
  }
  return path
}

/** The line of the deepest part of a path that is written in the file (a missing key's table). */
export function nearestLine(doc: TomlDocument, path: TomlPath): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const line = doc.lineOf(path.slice(0, n))
    if (line !== undefined) return line
  }
  return undefined
}
