import * as path from 'node:path'

/**
 * The constraint files PIP_CONSTRAINT names, read as pip reads an append option from the
 * environment: split on whitespace, each relative to the directory pip runs in. pip applies them
 * to all its runs; the action only needs them for the venv's fingerprint and for annotating their
 * lines. URLs are left to pip.
 */
export function envConstraintFiles(env: NodeJS.ProcessEnv, cwd: string): string[] {
  return (env.PIP_CONSTRAINT ?? '')
    .split(/\s+/)
    .filter(word => word !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(word))
    .map(file => path.resolve(cwd, file))
}
