import * as fs from 'node:fs'
import * as path from 'node:path'
import { ActionError } from '../action/errors.js'
import { installedVersions } from '../pip/plan.js'
import { run } from '../platform/process.js'
import type { InstalledPackage } from '../action/report.js'
import { normalizeName } from '../pip/requirements.js'

/** Why pip, run with the base interpreter outside a venv, would not install into its site-packages. */
export type FallbackReason =
  'site-not-writable' | 'externally-managed' | 'user-forced-by-env' | 'user-forced-by-config' | ''

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

/**
 * Mirrors pip's decide_user_install and check_externally_managed, and reads the same config files
 * and variables pip reads, without importing pip's command machinery (that costs 200 ms; only its
 * appdirs is imported, for the config directories). Run without -I: pip honours the user site
 * settings (PYTHONNOUSERSITE, PYTHONUSERBASE), so the probe must too.
 */
const PROBE = String.raw`import json, os, shutil, site, sys, sysconfig
WINDOWS = sys.platform.startswith("win")

def user_name(uid=None):
    try:
        import pwd
        return pwd.getpwuid(os.geteuid() if uid is None else uid).pw_name
    except Exception:
        if uid is not None:
            return ""
        import getpass
        return getpass.getuser()

def writable(path):
    # pip's test_writable_dir: the nearest existing directory; os.access on POSIX, a file elsewhere.
    while not os.path.isdir(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    if os.name == "posix":
        ok = os.access(path, os.W_OK)
    else:
        name = os.path.join(path, "venv-guard-probe-%d.tmp" % os.getpid())
        try:
            os.close(os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL))
            os.unlink(name)
            ok = True
        except OSError:
            ok = False
    try:
        owner = user_name(os.stat(path).st_uid)
    except Exception:
        owner = ""
    return {"tested": path, "writable": ok, "owner": owner}

def externally_managed():
    import configparser, locale
    marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
    if not os.path.isfile(marker):
        return None
    try:
        lang = locale.getlocale(locale.LC_MESSAGES)[0]
    except (AttributeError, ValueError):
        lang = None
    keys = ["Error-" + lang] + ["Error-" + lang.split(s)[0] for s in "-_" if s in lang] if lang else []
    error = ""
    try:
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(marker, encoding="utf-8")
        section = parser["externally-managed"]
        error = next((section[k] for k in keys + ["Error"] if k in section), "")
    except Exception:
        pass
    return {"marker": marker, "error": error}

def config_files():
    # pip's Configuration.iter_config_files, in its override order.
    env_file = os.environ.get("PIP_CONFIG_FILE")
    if env_file == os.devnull:
        return []
    name = "pip.ini" if WINDOWS else "pip.conf"
    try:
        from pip._internal.utils import appdirs
        files = [os.path.join(d, name) for d in appdirs.site_config_dirs("pip")]
        user_dir = appdirs.user_config_dir("pip")
    except Exception:
        files, user_dir = [], None
    if user_dir and not (env_file and os.path.exists(env_file)):
        legacy = os.path.join(os.path.expanduser("~"), "pip" if WINDOWS else ".pip", name)
        files += [legacy, os.path.join(user_dir, name)]
    files.append(os.path.join(sys.prefix, name))
    return files + ([env_file] if env_file else [])

KEYS = ("user", "no-user", "break-system-packages", "require-virtualenv", "require-venv")

def settings():
    # pip's ConfigOptionParser: [global], then [install], then PIP_* variables.
    import configparser, locale
    merged = {}
    norm = lambda n: n.lower().replace("_", "-").lstrip("-")
    for file in config_files():
        parser = configparser.RawConfigParser()
        try:
            parser.read(file, encoding=locale.getpreferredencoding(False))
        except Exception:
            continue
        for section in parser.sections():
            for key, value in parser.items(section):
                merged[section + "." + norm(key)] = (value, file)
    for key, value in os.environ.items():
        if key.startswith("PIP_"):
            merged[":env:." + norm(key[4:])] = (value, key)
    found = []
    for wanted in ("global", "install", ":env:"):
        for full, (value, where) in merged.items():
            section, key = full.split(".", 1)
            if section == wanted and key in KEYS and value:
                found.append({"key": key, "value": value, "where": where, "section": section})
    return found

def script_python(script):
    # The interpreter a console script starts: its shebang, or distlib's /bin/sh trampoline.
    try:
        with open(script, "rb") as f:
            lines = f.read(1024).decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    if not lines or not lines[0].startswith("#!"):
        return ""
    if lines[0].strip() == "#!/bin/sh" and len(lines) > 1 and lines[1].startswith("'''exec' "):
        rest = lines[1][9:]
        return rest[1:].split('"')[0] if rest.startswith('"') else rest.split(" ")[0]
    words = lines[0][2:].split()
    if len(words) > 1 and os.path.basename(words[0]) == "env":
        return shutil.which(words[1]) or ""
    return words[0] if words else ""

def same_python(a, b):
    def venv(exe):
        root = os.path.dirname(os.path.dirname(os.path.abspath(exe)))
        return root if os.path.isfile(os.path.join(root, "pyvenv.cfg")) else ""
    return os.path.realpath(a) == os.path.realpath(b) and venv(a) == venv(b)

def pip_on_path():
    found = []
    for command in ("pip", "pip3"):
        script = shutil.which(command)
        python = script_python(script) if script else ""
        # Shims (pyenv, asdf) are shell scripts: which Python they pick is not known here.
        if os.path.basename(python).lower().startswith(("python", "pypy")):
            found.append({"command": command, "path": script, "python": python,
                          "matches": same_python(python, sys.executable)})
    return found

paths = sysconfig.get_paths()
print(json.dumps({
    "executable": sys.executable,
    "inVenv": sys.prefix != getattr(sys, "base_prefix", sys.prefix) or hasattr(sys, "real_prefix"),
    "enableUserSite": site.ENABLE_USER_SITE,
    "sitePackages": [dict(writable(p), path=p) for p in sorted({paths["purelib"], paths["platlib"]})],
    "user": user_name(),
    "userSite": site.getusersitepackages(),
    "userBase": site.getuserbase(),
    "externallyManaged": externally_managed(),
    "settings": settings(),
    "pipOnPath": pip_on_path(),
}))`

/** Runs the probe with the interpreter, from a directory outside the workspace (-c puts it on sys.path). */
export async function probeUserSite(
  executable: string,
  cwd: string,
  env: Record<string, string | undefined> = {}
): Promise<UserSiteFacts> {
  const result = await run(executable, ['-c', PROBE], { cwd, env })
  const last = result.stdout.trim().split(/\r?\n/).pop() ?? ''
  if (result.exitCode !== 0 || !last.startsWith('{')) {
    throw new ActionError(
      `Checking where pip of ${executable} would install failed (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim()}`
    )
  }
  return JSON.parse(last) as UserSiteFacts
}

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
  guardLaterSteps: boolean
): string {
  const parts = [
    `pip run with ${facts.executable} outside a venv would not install into its site-packages: ${why(facts, decision)}.`,
    `This step installs into the venv ${venv}, which is not affected; later steps must use the venv's python and pip${guardLaterSteps ? ' (PIP_REQUIRE_VIRTUALENV=true makes any other pip refuse)' : ''}.`
  ]
  if (decision.reason.startsWith('user-forced')) {
    parts.push(
      `Inside a venv, ${decision.user?.text} makes pip refuse ("Can not perform a '--user' install"): venv-guard overrode it for its own pip, but later steps' pip will refuse until you ${decision.user?.source === 'env' ? `unset ${decision.user?.where}` : `remove it from ${decision.user?.where}`}.`
    )
  }
  return parts.join('\n')
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

/** Whether a directory is inside another (or is it). */
export function isInside(dir: string, parent: string): boolean {
  const relative = path.relative(parent, dir)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/** The distributions (`*.dist-info`, `*.egg-info`) in a site-packages directory, by entry name. */
export function distributionEntries(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter(e => /\.(dist|egg)-info$/.test(e))
      .sort()
  } catch {
    return []
  }
}

/** `alpha-2.0.0.dist-info` -> `alpha 2.0.0`. */
export function distributionLabel(entry: string): string {
  const m = /^(.+?)-([^-]+?)(-py[^-]*)?\.(dist|egg)-info$/.exec(entry)
  return m ? `${m[1]} ${m[2]}` : entry
}

export function addedEntries(before: string[], after: string[]): string[] {
  const seen = new Set(before)
  return after.filter(e => !seen.has(e))
}

/** Installed distributions that are in none of the target's site-packages directories. */
export function misplaced(installed: InstalledPackage[], dirs: string[]): InstalledPackage[] {
  const names = installed.map(p => p.name)
  const found = dirs.map(d => installedVersions(d, names))
  const same = (a: string | undefined, b: string) =>
    a !== undefined && a.toLowerCase().replace(/-/g, '_') === b.toLowerCase().replace(/-/g, '_')
  return installed.filter(p => !found.some(v => same(v[normalizeName(p.name)], p.version)))
}
