import * as core from '@actions/core'

/** Every output of action.yml, by one name each (a unit test holds this table to action.yml). */
export const Outputs = {
  PythonVersion: 'python-version',
  BasePythonPath: 'base-python-path',
  PythonPath: 'python-path',
  VenvPath: 'venv-path',
  UserSiteFallback: 'user-site-fallback',
  FallbackReason: 'fallback-reason',
  CleanInstall: 'clean-install',
  CacheHit: 'cache-hit',
  CacheKey: 'cache-key'
} as const

export type Output = (typeof Outputs)[keyof typeof Outputs]

/** Sets an output; booleans as `true`/`false`, as workflow expressions compare them. */
export function setOutput(name: Output, value: string | boolean): void {
  core.setOutput(name, String(value))
}
