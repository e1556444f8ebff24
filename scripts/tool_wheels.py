"""Lists the pip, setuptools and wheel wheels in the given directories and in this interpreter's own
ensurepip bundle and test data, with the Python versions each supports; and every wheel in the
directory pip downloaded them to (their dependencies: wheel 0.46 and later needs packaging).

usage: python tool_wheels.py DOWNLOADED DIR...
prints a JSON list of {"path", "name", "version", "requiresPython"}
"""
import json
import os
import re
import sys
import sysconfig
import zipfile

TOOLS = ("pip", "setuptools", "wheel")


def describe(path, any_name):
    match = re.match(r"^([A-Za-z0-9_.]+)-([0-9][^-]*)-.*\.whl$", os.path.basename(path))
    if not match or not (any_name or match.group(1) in TOOLS):
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
            lines = zf.read(meta).decode("utf-8", "replace").split("\n\n")[0].splitlines()
    except (OSError, zipfile.BadZipFile, StopIteration):
        return None  # not a whole wheel: pip would not take it either
    requires = [l.split(":", 1)[1].strip() for l in lines if l.lower().startswith("requires-python:")]
    return {"path": path, "name": match.group(1), "version": match.group(2), "requiresPython": (requires or [""])[0]}


def main(downloaded, dirs):
    stdlib = sysconfig.get_paths()["stdlib"]
    dirs = [downloaded] + list(dirs) + [os.path.join(stdlib, *p) for p in (("ensurepip", "_bundled"), ("test",), ("test", "wheeldata"))]
    found = []
    for d in dirs:
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        found += [w for w in (describe(os.path.join(d, n), d == downloaded) for n in names if n.endswith(".whl")) if w]
    json.dump(found, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
