import { errorMessage } from '../action/errors.js'
import { readState, State } from '../action/state.js'
import { addedEntries, distributionEntries, distributionLabel } from './site.js'
import { error, info, warning } from '../action/log.js'

/** The post step: what later steps put into the user site-packages, annotated per on-user-site. */
export function auditUserSite(): void {
  try {
    const state = readState(State.UserSite)
    if (!state) return
    const added = addedEntries(state.entries, distributionEntries(state.userSite))
    if (added.length === 0) {
      info(`The user site-packages ${state.userSite} gained nothing after venv-guard's step.`)
      return
    }
    const message = `After venv-guard's step, the user site-packages ${state.userSite} gained ${added.map(distributionLabel).join(', ')}: a later step ran pip outside the venv, which fell back there (or was told to), where other users and jobs do not see them. Install with the venv's pip (\`python -m pip\` with the venv activated) instead; if the user site is intended, set on-user-site: warn or ignore.`
    const title = 'venv-guard: later steps installed into the user site-packages'
    if (state.policy === 'fail') {
      error(message, { title })
      process.exitCode = 1
    } else if (state.policy === 'warn') warning(message, { title })
    else info(message)
  } catch (error) {
    warning(`venv-guard could not audit the user site-packages: ${errorMessage(error)}`)
  }
}
