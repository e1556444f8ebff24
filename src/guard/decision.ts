import type { PipSetting, SitePackagesCheck, UserSiteFacts } from './probe.js'

/** Why pip, run with the base interpreter outside a venv, would not install into its site-packages. */
export type FallbackReason =
  'site-not-writable' | 'externally-managed' | 'user-forced-by-env' | 'user-forced-by-config' | ''

/** pip's strtobool: the words pip takes for a yes/no option; anything else pip itself rejects. */
export function pipBool(value: string): boolean | undefined {
  const v = value.trim().toLowerCase()
  if (['y', 'yes', 't', 'true', 'on', '1'].includes(v)) return true
  if (['n', 'no', 'f', 'false', 'off', '0'].includes(v)) return false
  return undefined
}

export interface ResolvedSetting {
  value: boolean
  source: 'env' | 'config' | 'pip-args'
  /** The variable or file (with its section) that set it. */
  where: string
  /** How the setting reads where it was written, e.g. `PIP_NO_USER=1`, `user = true`. */
  text: string
}

export interface PipOptions {
  user?: ResolvedSetting
  breakSystemPackages?: ResolvedSetting
  requireVirtualenv?: ResolvedSetting
}

// pip maps each key to an option's destination; `--no-user` is store_false, but from a config
// file or a variable pip assigns the value as it is: PIP_NO_USER=1 means user = 1, a user install.
const DESTINATIONS: Record<string, keyof PipOptions> = {
  user: 'user',
  'no-user': 'user',
  'break-system-packages': 'breakSystemPackages',
  'require-virtualenv': 'requireVirtualenv',
  'require-venv': 'requireVirtualenv'
}

/** The options pip ends up with from its config files and variables: the last setting wins. */
export function resolvePipOptions(settings: PipSetting[]): PipOptions {
  const options: PipOptions = {}
  for (const s of settings) {
    const value = pipBool(s.value)
    const destination = DESTINATIONS[s.key]
    if (value === undefined || !destination) continue
    const fromEnv = s.section === ':env:'
    options[destination] = {
      value,
      source: fromEnv ? 'env' : 'config',
      where: fromEnv ? s.where : `[${s.section}] of ${s.where}`,
      text: fromEnv ? `${s.where}=${s.value}` : `${s.key} = ${s.value}`
    }
  }
  return options
}

/** What pip-args say about the install location. */
export interface PipArgsLocation {
  /** The last of --user / --no-user. */
  user?: boolean
  breakSystemPackages: boolean
  /** --target, --prefix or --root: pip skips both checks and installs elsewhere. */
  redirected: boolean
}

export function pipArgsLocation(args: string[]): PipArgsLocation {
  const location: PipArgsLocation = { breakSystemPackages: false, redirected: false }
  for (const arg of args) {
    const option = arg.split('=')[0]
    if (option === '--user') location.user = true
    else if (option === '--no-user') location.user = false
    else if (option === '--break-system-packages') location.breakSystemPackages = true
    else if (['--target', '--prefix', '--root'].includes(option) || /^-t/.test(arg))
      location.redirected = true
  }
  return location
}

export interface Decision {
  reason: FallbackReason
  /** The setting that forces a user install (or forbids one), wherever it came from. */
  user?: ResolvedSetting
  /** The first site-packages directory pip cannot write. */
  blocked?: SitePackagesCheck
  /** --user in pip-args: the user site is the target, on purpose. */
  deliberateUser: boolean
  redirected: boolean
  requireVirtualenv?: ResolvedSetting
}

/**
 * pip's own order: check_externally_managed first (outside a venv, unless told to break system
 * packages), then decide_user_install: an explicit user setting decides; otherwise a disabled user
 * site means a normal install; otherwise site-packages that are not all writable mean a user one.
 * Being in a venv is not the whole test: one made with --system-site-packages enables the user site.
 */
export function decideFallback(facts: UserSiteFacts, pipArgs: string[]): Decision {
  const args = pipArgsLocation(pipArgs)
  const options = resolvePipOptions(facts.settings)
  const user: ResolvedSetting | undefined =
    args.user === undefined
      ? options.user
      : {
          value: args.user,
          source: 'pip-args',
          where: 'pip-args',
          text: args.user ? '--user' : '--no-user'
        }
  const decision: Decision = {
    reason: '',
    user,
    deliberateUser: user?.source === 'pip-args' && user.value,
    redirected: args.redirected,
    requireVirtualenv: options.requireVirtualenv?.value ? options.requireVirtualenv : undefined
  }
  if (args.redirected) return decision
  const breakSystem = args.breakSystemPackages || options.breakSystemPackages?.value === true
  if (!facts.inVenv && facts.externallyManaged && !breakSystem)
    return { ...decision, reason: 'externally-managed' }
  if (user) {
    if (user.value && user.source !== 'pip-args')
      return { ...decision, reason: `user-forced-by-${user.source}` }
    return decision
  }
  if (facts.enableUserSite !== true) return decision
  const blocked = facts.sitePackages.find(s => !s.writable)
  return blocked ? { ...decision, reason: 'site-not-writable', blocked } : decision
}

/** The short form for the log. */
export function describeDecision(facts: UserSiteFacts, decision: Decision): string {
  const sites = facts.sitePackages
    .map(s => `${s.path} ${s.writable ? 'writable' : `not writable (owner ${s.owner || '?'})`}`)
    .join(', ')
  const parts = [
    `user ${facts.user}`,
    facts.inVenv ? 'in a venv' : 'not in a venv',
    `user site ${facts.enableUserSite === true ? 'enabled' : 'disabled'} (${facts.userSite})`,
    sites,
    facts.externallyManaged ? `externally managed (${facts.externallyManaged.marker})` : '',
    decision.user ? `${decision.user.text} (${decision.user.where})` : '',
    decision.requireVirtualenv
      ? `${decision.requireVirtualenv.text} (${decision.requireVirtualenv.where})`
      : ''
  ].filter(p => p !== '')
  return `${parts.join('; ')} => ${decision.reason || 'no fallback'}`
}

export type PipSign =
  { kind: 'fallback' } | { kind: 'externally-managed' } | { kind: 'scripts-off-path'; dir: string }

/** What pip's output tells about where it installed; found in the output, with -q or without. */
export function scanPipOutput(output: string): PipSign[] {
  const signs: PipSign[] = []
  if (/Defaulting to user installation because normal site-packages is not writeable/.test(output))
    signs.push({ kind: 'fallback' })
  if (/externally-managed-environment/.test(output)) signs.push({ kind: 'externally-managed' })
  for (const m of output.matchAll(/installed in '([^']+)' which is not on PATH/g))
    signs.push({ kind: 'scripts-off-path', dir: m[1] })
  return signs
}
