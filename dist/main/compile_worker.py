"""Byte-compiles files for venv-guard as it hands them out, while pip still installs others.

Asks for work with a line on stderr; reads a batch of file names on stdin (UTF-8), one per line,
ended by an empty line; stops at the end of stdin. Each file is compiled as `python -m compileall
-q -i LIST` compiles it (compileall.compile_file with its defaults, and the same interpreter
settings): the same bytecode, sooner.
"""
import compileall, sys
ok = True
source = sys.stdin.buffer
while True:
    # Bytes, so that no platform turns the newline into another one.
    sys.stderr.buffer.write(b"venv-guard-next\n")
    sys.stderr.flush()
    batch = []
    while True:
        line = source.readline()
        if not line or line in (b"\n", b"\r\n"):
            break
        batch.append(line.rstrip(b"\r\n").decode("utf-8"))
    for name in batch:
        if not compileall.compile_file(name, quiet=1):
            ok = False
    if not line:
        break
sys.exit(0 if ok else 1)
