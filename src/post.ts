import { auditUserSite } from './guard-step.js'

auditUserSite()
