"""Run by the venv's own python, as one process for every check that needs Python: where it runs
from, its version, and what `pip check` checks (every installed distribution's requirements are
installed in a matching version), read from the dist-info METADATA headers directly and judged
with pip's vendored `packaging`: importing pip's own check costs three times as long.
venv-guard runs it only where the distributions differ from those that passed before
(checkedDigest in src/venv/health.ts).

Prints one JSON line for venv-guard (src/venv/health.ts).
"""
import json, os, re, sys, sysconfig
def canon(name): return re.sub(r"[-_.]+", "-", name).lower()
problems = []
dists = {}
for site in sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}):
    try:
        entries = os.listdir(site)
    except OSError:
        continue
    for entry in entries:
        if not entry.endswith(".dist-info"):
            continue
        fields, requires = {}, []
        try:
            with open(os.path.join(site, entry, "METADATA"), encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line in ("\n", "\r\n"):
                        break
                    key, _, value = line.partition(":")
                    if key == "Requires-Dist":
                        requires.append(value.strip())
                    elif key in ("Name", "Version"):
                        fields[key] = value.strip()
        except OSError as e:
            problems.append("%s has no readable METADATA (%s)" % (entry, e.strerror))
            continue
        if fields.get("Name"):
            dists[canon(fields["Name"])] = (fields["Name"], fields.get("Version", "?"), requires)
if "pip" not in dists:
    problems.append("pip is not installed in it")
elif any(d[2] for d in dists.values()):
    from pip._vendor.packaging.requirements import Requirement
    for name, version, requires in dists.values():
        for text in requires:
            try:
                req = Requirement(text)
                if req.marker and not req.marker.evaluate({"extra": ""}):
                    continue
                dep = dists.get(canon(req.name))
                if dep is None:
                    problems.append("%s %s requires %s, which is not installed" % (name, version, req.name))
                elif not req.specifier.contains(dep[1], prereleases=True):
                    problems.append("%s %s requires %s, but %s %s is installed" % (name, version, req, dep[0], dep[1]))
            except Exception as e:
                problems.append("%s %s has a requirement pip cannot read: %s (%s)" % (name, version, text, e))
print("venv-guard-result: " + json.dumps({"prefix": sys.prefix, "version": list(sys.version_info), "problems": problems}))
