"""What decides where pip installs for this interpreter, printed as one JSON line for venv-guard.

Mirrors pip's decide_user_install and check_externally_managed, and reads the same config files
and variables pip reads, without importing pip's command machinery (that costs 200 ms; only its
appdirs is imported, for the config directories). Run without -I: pip honours the user site
settings (PYTHONNOUSERSITE, PYTHONUSERBASE), so the probe must too.
"""
import json, os, shutil, site, sys, sysconfig
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
# Settings that can hold credentials, for venv-guard to mask before anything prints them.
URL_KEYS = ("index-url", "extra-index-url", "find-links", "proxy")

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
            if section == wanted and (key in KEYS or key in URL_KEYS) and value:
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
print("venv-guard-result: " + json.dumps({
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
}))
