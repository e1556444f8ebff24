import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { parseVersionSpec } from './version-spec.js'

/**
 * Reads the Python version a project asks for from the files that tools keep it in:
 * `.python-version` (pyenv), `.tool-versions` (asdf), `pyproject.toml` (`requires-python`) and
 * `Pipfile` (`python_version`). Returns the first usable spec, or undefined when the file names none.
 */
export function specFromVersionFile(file: string, content: string): string | undefined {
  const name = path.basename(file).toLowerCase()
  if (name === 'pyproject.toml') return fromPyproject(content)
  if (name === 'pipfile') return fromPipfile(content)
  if (name === '.tool-versions') return fromToolVersions(content)
  return fromPythonVersion(content)
}

function meaningfulLines(content: string): string[] {
  return content
    .split(/\r?\n/)
    .map(line => line.replace(/#.*/, '').trim())
    .filter(line => line !== '')
}

function isVersionSpec(text: string): boolean {
  try {
    parseVersionSpec(text)
    return true
  } catch {
    return false
  }
}

/**
 * pyenv allows several versions, one per line, and the first one it has wins; `system` (whatever
 * is on PATH) and virtualenv names are not versions, and `3.12.1/envs/name` is a virtualenv of
 * 3.12.1.
 */
function fromPythonVersion(content: string): string | undefined {
  return meaningfulLines(content)
    .flatMap(line => line.split(/\s+/))
    .map(v => v.replace(/\/envs\/.*$/, ''))
    .find(isVersionSpec)
}

function fromToolVersions(content: string): string | undefined {
  for (const line of meaningfulLines(content)) {
    const [tool, ...versions] = line.split(/\s+/)
    if (tool === 'python') return versions.find(isVersionSpec)
  }
  return undefined
}

function table(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const child = (value as Record<string, unknown>)[key]
  return typeof child === 'object' && child !== null
    ? (child as Record<string, unknown>)
    : undefined
}

function stringAt(value: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = value?.[key]
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined
}

function fromPyproject(content: string): string | undefined {
  const doc = parseToml(content)
  const poetry = table(table(table(doc, 'tool'), 'poetry'), 'dependencies')
  const poetryPython = stringAt(poetry, 'python')
  return (
    stringAt(table(doc, 'project'), 'requires-python') ??
    (poetryPython ? poetryToPep440(poetryPython) : undefined)
  )
}

/** Poetry's `^3.10` means `>=3.10,<4`; its `~3.10` means `>=3.10,<3.11`. */
function poetryToPep440(spec: string): string {
  const caret = /^\^(\d+)(\.\d+)*$/.exec(spec)
  if (caret) return `>=${spec.slice(1)},<${Number(caret[1]) + 1}`
  const tilde = /^~(\d+)\.(\d+)(\.\d+)?$/.exec(spec)
  if (tilde) return `>=${spec.slice(1)},<${tilde[1]}.${Number(tilde[2]) + 1}`
  return spec
}

function fromPipfile(content: string): string | undefined {
  const requires = table(parseToml(content), 'requires')
  return stringAt(requires, 'python_full_version') ?? stringAt(requires, 'python_version')
}

export function readVersionFile(file: string): string | undefined {
  return specFromVersionFile(file, fs.readFileSync(file, 'utf8'))
}
