import { error } from './action/log.js'
import { saveCaches } from './cache/save.js'
import { auditUserSite } from './guard/audit.js'
import { onCancel } from './platform/process.js'

/** The post step. The audit runs first: a failed save is only a warning, but an audit finding may fail the job. */
export async function run(): Promise<void> {
  onCancel(signal =>
    error(`venv-guard's post step was cancelled (${signal}): what it started is stopped.`)
  )
  auditUserSite()
  await saveCaches()
}
