import { saveCaches } from './cache.js'
import { auditUserSite } from './guard-step.js'

// The audit runs first: a failed save is only a warning, but an audit finding may fail the job.
auditUserSite()
await saveCaches()
