import type { Decision, FallbackReason, ResolvedSetting } from './decision.js'
import type { SitePackagesCheck, UserSiteFacts } from './probe.js'

/** Why, in one sentence part, for the annotation. */
function why(facts: UserSiteFacts, decision: Decision): string {
  const exe = facts.executable
  switch (decision.reason) {
    case 'site-not-writable': {
      const b = decision.blocked as SitePackagesCheck
      const tested = b.tested === b.path ? '' : ` (nor is ${b.tested}, the nearest that exists)`
      return `${b.path}${tested} is not writable by ${facts.user}${b.owner ? ` (it belongs to ${b.owner})` : ''}, so pip would fall back to the user site-packages ${facts.userSite} ("Defaulting to user installation because normal site-packages is not writeable"; with pip install -q not even that is printed)`
    }
    case 'externally-managed':
      return `${exe} is marked externally managed (PEP 668) by ${facts.externallyManaged?.marker}, so pip refuses to install into it ("error: externally-managed-environment")`
    case 'user-forced-by-env':
    case 'user-forced-by-config': {
      const u = decision.user as ResolvedSetting
      const noUser = u.where === 'PIP_NO_USER' || u.text.startsWith('no-user')
      return `${u.text} in ${u.source === 'env' ? 'the environment' : u.where} forces user installs${noUser ? ' (pip takes a no-user value as the value of --user: a true value means a user install)' : ''}, so pip would install into the user site-packages ${facts.userSite}`
    }
    default:
      return ''
  }
}

/** The fixes, best first: the venv, then the owner (or another interpreter), then on purpose. */
function fixes(facts: UserSiteFacts, decision: Decision): string[] {
  const venv = 'use a venv: drop create-venv: false (the default creates one in the workspace)'
  switch (decision.reason) {
    case 'site-not-writable': {
      const owner = decision.blocked?.owner || 'the owner of the interpreter'
      return [
        venv,
        `run the job as ${owner}, who owns ${decision.blocked?.tested}, or use an interpreter ${facts.user} owns (actions/setup-python, pyenv)`,
        `if the user site is what you want, say so: pip-args: --user`
      ]
    }
    case 'externally-managed':
      return [
        venv,
        'use an interpreter the OS does not manage (actions/setup-python, pyenv)',
        'only if breaking the OS-managed Python is acceptable: pip-args: --break-system-packages'
      ]
    default: {
      const u = decision.user as ResolvedSetting
      return [
        `${venv}; venv-guard overrides ${u.text} for its own pip`,
        u.source === 'env' ? `unset ${u.where}` : `remove ${u.text} from ${u.where}`,
        'if the user site is what you want, say so: pip-args: --user'
      ]
    }
  }
}

/** `pip` on PATH that runs another interpreter: the pip vs python -m pip mix-up. */
export function foreignPipNote(facts: UserSiteFacts): string {
  const foreign = facts.pipOnPath.filter(p => !p.matches)
  if (foreign.length === 0) return ''
  const which = foreign.map(p => `\`${p.command}\` (${p.path}) runs ${p.python}`).join('; ')
  return `On PATH, ${which}, not ${facts.executable}: call \`${facts.executable} -m pip\` instead.`
}

export function fallbackTitle(reason: FallbackReason): string {
  return reason === 'externally-managed'
    ? 'venv-guard: pip refuses an externally managed Python (PEP 668)'
    : 'venv-guard: pip would fall back to the user site-packages'
}

/** The annotation for an install into the interpreter itself: what, why, the fixes in order. */
export function fallbackMessage(facts: UserSiteFacts, decision: Decision, outcome: string): string {
  const steps = fixes(facts, decision).map((f, i) => `${i + 1}) ${f}`)
  const note = foreignPipNote(facts)
  const parts = [
    `pip, run with ${facts.executable} (not in a venv) as ${facts.user}, would not install into its site-packages: ${why(facts, decision)}. ${outcome}`
  ]
  if (decision.reason !== 'externally-managed') {
    parts.push(
      `Packages in the user site are invisible to other users and jobs, and their scripts go to ${facts.userBase}, usually off PATH.`
    )
  } else if (facts.externallyManaged?.error) {
    parts.push(`The distributor says: ${facts.externallyManaged.error.replace(/\s+/g, ' ')}`)
  }
  parts.push(`Fix, in this order: ${steps.join('; ')}.`)
  if (note) parts.push(note)
  return parts.join('\n')
}

/** The notice for a venv install: the base interpreter's risk, which this step avoids. */
export function baseRiskMessage(
  facts: UserSiteFacts,
  decision: Decision,
  venv: string,
  requiresVenv: boolean
): string {
  const parts = [
    `pip run with ${facts.executable} outside a venv would not install into its site-packages: ${why(facts, decision)}.`,
    `This step installs into the venv ${venv}, which is not affected; later steps must use the venv's python and pip${requiresVenv ? ' (PIP_REQUIRE_VIRTUALENV=true makes any other pip refuse)' : ''}.`
  ]
  if (decision.reason.startsWith('user-forced')) {
    parts.push(
      `Inside a venv, ${decision.user?.text} makes pip refuse ("Can not perform a '--user' install"): venv-guard overrode it for its own pip, but later steps' pip will refuse until you ${decision.user?.source === 'env' ? `unset ${decision.user?.where}` : `remove it from ${decision.user?.where}`}.`
    )
  }
  return parts.join('\n')
}
