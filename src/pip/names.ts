import * as path from 'node:path'

/** A project's name as pip compares them (PEP 503): case and runs of `-_.` do not matter. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-')
}

/** The project a requirement or a wheel names (`pip==24.2`, `.../pip-24.2-py3-none-any.whl` -> pip). */
export function projectOf(requirementOrWheel: string): string {
  const base = path.basename(requirementOrWheel)
  const name = base.endsWith('.whl')
    ? base.split('-')[0]
    : (/^[A-Za-z0-9._-]+/.exec(requirementOrWheel)?.[0] ?? requirementOrWheel)
  return normalizeName(name)
}
