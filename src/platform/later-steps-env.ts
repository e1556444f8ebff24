/**
 * What later steps of the job get: variables and PATH entries (put first, the last given first).
 * Modules return it; only the main step applies it (action/later-steps.ts).
 */
export interface LaterStepsEnv {
  variables: Record<string, string>
  path: string[]
}
