import { ActionError } from '../report/diagnostic.js'
import { runHelper } from '../platform/python-helper.js'

export interface SitePackagesCheck {
  path: string
  /** The directory pip really tests: the nearest one that exists. */
  tested: string
  writable: boolean
  owner: string
}

/** One pip option from a config file section or a PIP_* variable, in the order pip applies them. */
export interface PipSetting {
  key: string
  value: string
  /** The file, or the variable's name. */
  where: string
  section: string
}

export interface PipOnPath {
  command: string
  path: string
  /** The interpreter the script starts. */
  python: string
  matches: boolean
}

/** What decides pip's install location for one interpreter, as the probe found it. */
export interface UserSiteFacts {
  executable: string
  inVenv: boolean
  /** site.ENABLE_USER_SITE: None (uid differs from euid) counts as disabled, as in pip. */
  enableUserSite: boolean | null
  sitePackages: SitePackagesCheck[]
  user: string
  userSite: string
  userBase: string
  externallyManaged: { marker: string; error: string } | null
  settings: PipSetting[]
  pipOnPath: PipOnPath[]
}

/** Runs the probe with the interpreter, from a directory outside the workspace. */
export async function probeUserSite(
  executable: string,
  cwd: string,
  env: Record<string, string | undefined> = {}
): Promise<UserSiteFacts> {
  // Not isolated (-I): the probe must see the user site as pip does.
  const result = await runHelper<UserSiteFacts>(
    [executable],
    import.meta.url,
    'user_site_probe.py',
    [],
    {
      cwd,
      env
    }
  )
  if (!result.ok) {
    throw new ActionError(
      `Checking where pip of ${executable} would install failed: ${result.why}${result.timedOut ? ': the interpreter hangs; fix it or use another one' : ''}.`
    )
  }
  return result.value
}
