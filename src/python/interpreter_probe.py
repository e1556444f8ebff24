"""What an interpreter says of itself, as one JSON line for venv-guard (src/python/probe.ts).

Run with -I, which keeps the user's PYTHONPATH and user site out of it. pip is found without
importing it: importing costs more than the whole probe.
"""
import json, os, platform, re, sys, sysconfig
from importlib.util import find_spec
v = sys.version_info
iv = sys.implementation.version
spec = find_spec("pip")
pip = None
if spec and spec.origin:
    with open(spec.origin) as f:
        m = re.search(r"__version__ = .([0-9][0-9A-Za-z.+!-]*)", f.read())
    pip = {"version": m.group(1) if m else "", "location": os.path.dirname(spec.origin)}
# PEP 508's marker environment, as packaging's default_environment() computes it.
iver = "%d.%d.%d" % (iv[0], iv[1], iv[2]) + ("" if iv[3] == "final" else iv[3][0] + str(iv[4]))
markers = {"implementation_name": sys.implementation.name, "implementation_version": iver,
  "os_name": os.name, "platform_machine": platform.machine(), "platform_release": platform.release(),
  "platform_system": platform.system(), "platform_version": platform.version(),
  "python_full_version": platform.python_version(),
  "platform_python_implementation": platform.python_implementation(),
  "python_version": ".".join(platform.python_version_tuple()[:2]), "sys_platform": sys.platform}
print("venv-guard-result: " + json.dumps({"executable": sys.executable, "version": [v[0], v[1], v[2], v[3], v[4]],
  "implementation": sys.implementation.name,
  "implementationVersion": [iv[0], iv[1], iv[2], iv[3], iv[4]], "prefix": sys.prefix,
  "basePrefix": getattr(sys, "base_prefix", sys.prefix),
  "freeThreaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
  "stdlib": sysconfig.get_path("stdlib"), "purelib": sysconfig.get_path("purelib"),
  "platlib": sysconfig.get_path("platlib"), "pip": pip, "markers": markers}))
