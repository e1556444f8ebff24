"""pip's own verdict on requirement files, for comparing the action's parser with pip's.

usage: python pip_parse.py CASES.json
CASES is a list of paths of root requirement files. Prints a JSON list, one verdict per case:
  {"ok": true, "requirements": [[file, line, constraint], ...], "files": [...]}
  {"ok": false, "file": ..., "line": ..., "error": "..."}
It reads each file exactly as `pip install -r` does (req_file.parse_requirements, then
install_req_from_parsed_requirement for every requirement); the location of a failure is the
logical line pip was handling, or the line that included a file pip could not read.
Works with the pips of Python 3.7 and later (pip 22 to 26).
"""
import json
import sys

from pip._internal.network.session import PipSession
from pip._internal.req import req_file
from pip._internal.req.constructors import install_req_from_parsed_requirement

state = {"file": None, "line": None, "opened": []}

original_preprocess = req_file.preprocess
original_parse_file = req_file.RequirementsFileParser._parse_file


def preprocess(content):
    for number, line in original_preprocess(content):
        state["line"] = number
        yield number, line


def parse_file(self, filename, constraint):
    parent = (state["file"], state["line"])
    state["file"], state["line"] = filename, None
    lines = original_parse_file(self, filename, constraint)
    while True:
        # An including file resumes here after its include: the location is its own again.
        state["file"] = filename
        try:
            line = next(lines)
        except StopIteration:
            opened(filename)
            return
        except Exception:
            if state["line"] is None:
                # Not readable at all: the failure belongs to the line that names the file.
                state["file"], state["line"] = parent
            raise
        opened(filename)
        yield line


def opened(filename):
    if filename not in state["opened"]:
        state["opened"].append(filename)


req_file.preprocess = preprocess
req_file.RequirementsFileParser._parse_file = parse_file


def verdict(root, session):
    state.update(file=None, line=None, opened=[])
    requirements = []
    try:
        for parsed in req_file.parse_requirements(root, session=session):
            install_req_from_parsed_requirement(parsed)
            requirements.append([state["file"], state["line"], bool(parsed.constraint)])
    except BaseException as error:  # pip's own parser may even exit (optparse) or recurse forever
        if isinstance(error, KeyboardInterrupt):
            raise
        return {
            "ok": False,
            "file": state["file"],
            "line": state["line"],
            "error": "%s: %s" % (type(error).__name__, str(error).splitlines()[0] if str(error) else ""),
        }
    return {"ok": True, "requirements": requirements, "files": state["opened"]}


def main():
    with open(sys.argv[1]) as f:
        roots = json.load(f)
    session = PipSession()
    json.dump([verdict(root, session) for root in roots], sys.stdout)


if __name__ == "__main__":
    main()
