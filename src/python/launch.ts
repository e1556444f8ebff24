/**
 * Interpreter arguments that run a module of the interpreter's own, never a file of the same name
 * in the working directory: `python -m pip` puts the working directory first on sys.path, so a
 * repository's `pip.py`, `venv.py` or `compileall.py` would run instead. Python 3.11+ has `-P`
 * for that; older interpreters get the same through runpy with that first entry dropped. (The
 * recipe's `pip` script never had the working directory on sys.path either.)
 */
export function moduleArgs(python: { version: { minor: number } }, module: string): string[] {
  if (python.version.minor >= 11) return ['-P', '-m', module]
  return [
    '-c',
    `import runpy, sys; del sys.path[0]; runpy.run_module(${JSON.stringify(module)}, run_name="__main__", alter_sys=True)`
  ]
}
