"""Byte-compiles files for venv-guard as it hands them out, while pip still installs others.

Asks for work with a line on stderr; reads a batch of file names on stdin, one per line, ended
by an empty line; stops at the end of stdin. Each file is compiled as `python -m compileall -q
-i LIST` compiles it (compileall.compile_file with its defaults): the same bytecode, sooner.
"""
import compileall, sys
ok = True
while True:
    sys.stderr.write("venv-guard-next\n")
    sys.stderr.flush()
    batch = []
    while True:
        line = sys.stdin.readline()
        if not line or line in ("\n", "\r\n"):
            break
        batch.append(line.rstrip("\r\n"))
    for name in batch:
        if not compileall.compile_file(name, quiet=1):
            ok = False
    if not line:
        break
sys.exit(0 if ok else 1)
