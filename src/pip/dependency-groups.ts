import * as fs from 'node:fs'
import * as path from 'node:path'
import { normalizeName } from './names.js'
import { type RequirementEntry } from './requirement-line.js'
import { type RequirementProblem } from './requirements.js'
import { parsePep508 } from './pep508.js'
import { readTomlFile, type TomlDocument } from './toml-lines.js'

/**
 * PEP 735 dependency groups, read and checked the way pip 25.1+ reads them for `--group`
 * (packaging's dependency_groups.py): names compared normalized, `{include-group = "..."}`
 * followed, only the groups asked for (and what they include) parsed. pip stops with a
 * traceback on an invalid item and without a line on anything else; here every problem gets the
 * line of pyproject.toml it is on, before pip runs. Pure but for reading the files.
 */

export interface GroupSpec {
  /** Absolute path of the pyproject.toml. */
  pyproject: string
  /** The group's name as written. */
  group: string
}

/**
 * `NAME` or `PATH:NAME` as pip's `--group` takes it: split at the last `:` (a group name has none),
 * the path's file named pyproject.toml. An error message when it is not.
 */
export function parseGroupSpec(word: string, cwd: string): GroupSpec | string {
  const colon = word.lastIndexOf(':')
  const group = word.slice(colon + 1)
  const file = colon === -1 ? 'pyproject.toml' : word.slice(0, colon)
  if (path.basename(file) !== 'pyproject.toml') {
    return `the file of a group must be a pyproject.toml (write path/to/pyproject.toml:${group || 'GROUP'}).`
  }
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(group)) {
    return `"${group}" is not a dependency group name (letters, digits, and . _ - between them).`
  }
  return { pyproject: path.resolve(cwd, file), group }
}

/** The `--group` argument for a spec, relative to where pip runs. */
export function groupArgument(spec: GroupSpec, cwd: string): string {
  const file = path.relative(cwd, spec.pyproject) || 'pyproject.toml'
  return file === 'pyproject.toml' ? spec.group : `${file}:${spec.group}`
}

export interface DependencyGroups {
  /** The pyproject.toml files read. */
  files: string[]
  /** Every requirement the groups asked for bring in, on its own line; includes followed. */
  entries: RequirementEntry[]
  problems: RequirementProblem[]
}

interface Table {
  file: string
  doc: TomlDocument
  /** Normalized name -> the name as written (the key of the table). */
  names: Map<string, string>
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value)
}

/** pyproject.toml's [dependency-groups] table, or the problem that keeps pip from reading it. */
function readTable(file: string, bytes: Buffer): Table | RequirementProblem {
  const doc = readTomlFile(file, bytes)
  if (!('value' in doc)) return doc
  const table = doc.value['dependency-groups']
  if (table === undefined) {
    return {
      kind: 'invalid-requirement',
      file,
      line: 1,
      message: `${file} has no [dependency-groups] table; add one with the groups to install`
    }
  }
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    return {
      kind: 'invalid-requirement',
      file,
      line: doc.lineOf(['dependency-groups']) ?? 1,
      message: 'dependency-groups must be a table of group names and lists of requirements'
    }
  }
  const names = new Map<string, string>()
  for (const key of Object.keys(table)) {
    const earlier = names.get(normalizeName(key))
    if (earlier !== undefined) {
      return {
        kind: 'invalid-requirement',
        file,
        line: doc.lineOf(['dependency-groups', key]) ?? 1,
        message: `the groups "${earlier}" and "${key}" have the same name once normalized (PEP 735); rename or merge one`
      }
    }
    names.set(normalizeName(key), key)
  }
  return { file, doc, names }
}

/**
 * Includes followed inside one another, at most. pip follows them by recursion and stops with a
 * RecursionError near 1,000; no real project nests 50.
 */
export const MAX_GROUP_DEPTH = 200

/**
 * Follows one requested group through its includes, in pip's order (a group included twice
 * brings its requirements twice, as in pip); the first problem ends the group.
 */
function resolveGroup(table: Table, requested: string, result: DependencyGroups): void {
  const groups = table.doc.value['dependency-groups'] as Record<string, unknown>
  const problem = (at: Array<string | number>, message: string): undefined => {
    const line = table.doc.lineOf(['dependency-groups', ...at]) ?? 1
    result.problems.push({ kind: 'invalid-requirement', file: table.file, line, message })
    return undefined
  }
  const resolved = new Map<string, RequirementEntry[]>()
  const visit = (
    name: string,
    stack: string[],
    from?: Array<string | number>
  ): RequirementEntry[] | undefined => {
    const normalized = normalizeName(name)
    const key = table.names.get(normalized)
    if (key === undefined) {
      const known = [...table.names.values()].join(', ') || 'none'
      return problem(
        from ?? [],
        `${from ? 'the included ' : ''}dependency group "${name}" does not exist in ${path.basename(table.file)} (groups: ${known})`
      )
    }
    if (stack.includes(normalized)) {
      const names = [...stack.slice(stack.indexOf(normalized)), normalized].map(
        n => table.names.get(n) ?? n
      )
      return problem(
        from ?? [key],
        `include-group cycle: ${names.join(' -> ')}; remove one of the includes`
      )
    }
    const known = resolved.get(normalized)
    if (known) return known
    const items = groups[key]
    if (!Array.isArray(items)) {
      return problem(
        [key],
        `dependency group "${key}" must be a list of requirements, not ${describe(items)}`
      )
    }
    const entries: RequirementEntry[] = []
    for (const [i, item] of (items as unknown[]).entries()) {
      if (typeof item === 'string') {
        const parsed = parsePep508(item)
        if ('error' in parsed) {
          return problem(
            [key, i],
            `"${item}" is not a valid requirement (PEP 508): ${parsed.error}`
          )
        }
        entries.push({
          file: table.file,
          line: table.doc.lineOf(['dependency-groups', key, i]) ?? 1,
          kind: 'requirement',
          text: item,
          name: normalizeName(parsed.name),
          ...(parsed.marker ? { marker: parsed.marker } : {}),
          constraint: false
        })
        continue
      }
      const include = includeOf(item)
      if (include === undefined) {
        return problem(
          [key, i],
          `${describe(item)} in group "${key}" is neither a requirement string nor {include-group = "NAME"}`
        )
      }
      if (stack.length >= MAX_GROUP_DEPTH) {
        return problem(
          [key, i],
          `include-group chains nested deeper than ${MAX_GROUP_DEPTH} groups are not followed; flatten the groups`
        )
      }
      const included = visit(include, [...stack, normalized], [key, i])
      if (!included) return undefined
      entries.push(...included)
    }
    resolved.set(normalized, entries)
    return entries
  }
  result.entries.push(...(visit(requested, []) ?? []))
}

/** The group an `{include-group = "NAME"}` item names; undefined for anything else. */
function includeOf(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined
  const keys = Object.keys(item)
  const include = (item as Record<string, unknown>)['include-group']
  return keys.length === 1 && typeof include === 'string' ? include : undefined
}

/** Reads the groups asked for, each pyproject.toml once. */
export function readDependencyGroups(
  specs: GroupSpec[],
  read: (file: string) => Buffer = file => fs.readFileSync(file)
): DependencyGroups {
  const result: DependencyGroups = { files: [], entries: [], problems: [] }
  const tables = new Map<string, Table | undefined>()
  for (const spec of specs) {
    if (!tables.has(spec.pyproject)) {
      const table = readTable(spec.pyproject, read(spec.pyproject))
      result.files.push(spec.pyproject)
      if ('doc' in table) tables.set(spec.pyproject, table)
      else {
        tables.set(spec.pyproject, undefined)
        result.problems.push(table)
      }
    }
    const table = tables.get(spec.pyproject)
    if (table) resolveGroup(table, spec.group, result)
  }
  return result
}
