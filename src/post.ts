import { saveCaches } from './cache/save.js'
import { auditUserSite } from './guard/audit.js'

/** The post step. The audit runs first: a failed save is only a warning, but an audit finding may fail the job. */
export async function run(): Promise<void> {
  auditUserSite()
  await saveCaches()
}
