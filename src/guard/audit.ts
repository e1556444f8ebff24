import { errorMessage } from '../report/diagnostic.js'
import { addedEntries, distributionEntries, distributionLabel } from './site.js'
import type { UserSiteState } from './step.js'
import { info, tell, warn } from '../report/log.js'

/**
 * The post step: what later steps put into the user site-packages, annotated per on-user-site.
 * Returns whether that fails the job.
 */
export function auditUserSite(state: UserSiteState): boolean {
  try {
    const added = addedEntries(state.entries, distributionEntries(state.userSite))
    if (added.length === 0) {
      info(`The user site-packages ${state.userSite} gained nothing after venv-guard's step.`)
      return false
    }
    const message = `After venv-guard's step, the user site-packages ${state.userSite} gained ${added.map(distributionLabel).join(', ')}: a later step ran pip outside the venv, which fell back there (or was told to), where other users and jobs do not see them. Install with the venv's pip (\`python -m pip\` with the venv activated) instead; if the user site is intended, set on-user-site: warn or ignore.`
    const title = 'venv-guard: later steps installed into the user site-packages'
    if (state.policy === 'ignore') info(message)
    else tell({ severity: state.policy === 'fail' ? 'error' : 'warning', message, title })
    return state.policy === 'fail'
  } catch (error) {
    warn(`venv-guard could not audit the user site-packages: ${errorMessage(error)}`)
    return false
  }
}
