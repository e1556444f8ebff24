import { errorMessage } from './report/diagnostic.js'
import { tell, toldSoFar, warn } from './report/log.js'
import { readState, State } from './action/state.js'
import { writePostSummary } from './action/summary.js'
import { saveCaches } from './cache/save.js'
import { auditUserSite } from './guard/audit.js'
import { onCancel } from './platform/process.js'

/** main's state under a name, or undefined (with a warning) when it cannot be read. */
function stateOf<K extends (typeof State)[keyof typeof State]>(name: K, what: string) {
  try {
    return readState(name)
  } catch (caught) {
    warn(`venv-guard could not ${what}: ${errorMessage(caught)}`)
    return undefined
  }
}

/**
 * The post step, from what main left in the state. The audit runs first: a failed save is only a
 * warning, but an audit finding may fail the job.
 */
export async function run(): Promise<void> {
  onCancel(signal =>
    tell({
      severity: 'error',
      message: `venv-guard's post step was cancelled (${signal}): what it started is stopped.`
    })
  )
  const userSite = stateOf(State.UserSite, 'audit the user site-packages')
  if (userSite && auditUserSite(userSite)) process.exitCode = 1
  const cache = stateOf(State.Cache, 'save')
  if (cache) await saveCaches(cache)
  await writePostSummary(toldSoFar())
}
