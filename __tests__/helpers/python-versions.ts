import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import { installationDirs, installationOf, type Minor, type TestPyPy } from './pythons.js'
import type { Runner } from './action.js'

/**
 * A python-versions archive made from an interpreter of this machine (pyenv's or the tool cache's): the installation's files
 * at the archive's root beside a setup.sh that does what the real one (installers/
 * nix-setup-template.sh of actions/python-versions) does: copy itself into
 * $RUNNER_TOOL_CACHE/Python/<version>/<arch>, add the python symlinks, make sure of pip (ensurepip,
 * then an upgrade from the index, here the offline wheelhouse) and touch <arch>.complete last.
 * site-packages is left out, as in the real archives, and so are the test suite and the static
 * library, to keep it small.
 */
export function makePythonArchive(
  minor: Minor,
  outDir: string,
  arch = 'x64'
): { version: string; file: string } {
  const { version, prefix } = installationOf(minor)
  const scriptDir = fs.mkdtempSync(path.join(outDir, 'setup-'))
  fs.writeFileSync(
    path.join(scriptDir, 'setup.sh'),
    `set -e
VERSION="${version}"
ARCH="${arch}"
MAJOR_MINOR=python${minor}
ROOT=\${AGENT_TOOLSDIRECTORY:-$RUNNER_TOOL_CACHE}
DEST=$ROOT/Python/$VERSION/$ARCH
rm -rf "$DEST"
mkdir -p "$DEST"
cp -R ./* "$DEST"
rm "$DEST/setup.sh"
cd "$DEST"
ln -s ./bin/$MAJOR_MINOR python
cd bin
ln -sf $MAJOR_MINOR python${minor.replace('.', '')}
[ -f python ] || ln -s $MAJOR_MINOR python
echo "Upgrading pip..."
export PIP_ROOT_USER_ACTION=ignore
./python -c "import pip" 2>/dev/null || ./python -m ensurepip
./python -m pip install --upgrade --force-reinstall pip --disable-pip-version-check --no-warn-script-location
touch "$ROOT/Python/$VERSION/$ARCH.complete"
`
  )
  const file = path.join(outDir, `python-${version}-linux-${arch}.tar.gz`)
  const lib = `./lib/python${minor}`
  execFileSync('tar', [
    '--use-compress-program=gzip -1',
    '-cf',
    file,
    '-C',
    prefix,
    `--exclude=${lib}/test`,
    `--exclude=${lib}/site-packages`,
    `--exclude=${lib}/config-*`,
    '--exclude=__pycache__',
    '--exclude=*.a',
    '.',
    '-C',
    scriptDir,
    'setup.sh'
  ])
  return { version, file }
}

/**
 * An archive in the layout of PyPy's own Linux builds (`pypy3.9-v7.3.11-linux64/bin/pypy3.9`
 * beside libpypy3.9-c.so, the standard library in `lib/pypy3.9`), made from a real PyPy of this
 * machine: PyPy finds its library and standard library relative to its executable, so the copy
 * runs wherever it is unpacked. Left out: bytecode, the test suite, site-packages and a
 * distribution's EXTERNALLY-MANAGED mark, as PyPy's archives have none of them.
 */
export function makePyPyArchive(pypy: TestPyPy, outDir: string): { name: string; file: string } {
  const name = `pypy${pypy.minor}-v${pypy.pypyVersion}-linux64`
  const root = path.join(fs.mkdtempSync(path.join(outDir, 'pypy-')), name)
  const bin = path.join(root, 'bin')
  fs.mkdirSync(bin, { recursive: true })
  fs.copyFileSync(pypy.executable, path.join(bin, `pypy${pypy.minor}`))
  fs.copyFileSync(pypy.library, path.join(bin, path.basename(pypy.library)))
  fs.symlinkSync(`pypy${pypy.minor}`, path.join(bin, 'pypy3'))
  const skipped = new Set(['__pycache__', 'test', 'site-packages', 'dist-packages'])
  fs.cpSync(pypy.stdlib, path.join(root, 'lib', `pypy${pypy.minor}`), {
    recursive: true,
    filter: source =>
      !skipped.has(path.basename(source)) && path.basename(source) !== 'EXTERNALLY-MANAGED'
  })
  const file = path.join(outDir, `${name}.tar.bz2`)
  execFileSync('tar', [
    '--use-compress-program=bzip2 -1',
    '-cf',
    file,
    '-C',
    path.dirname(root),
    name
  ])
  fs.rmSync(path.dirname(root), { recursive: true, force: true })
  return { name, file }
}

/** The OS release tool-cache compares a manifest's platform_version with (/etc/os-release). */
export function osVersion(): string {
  for (const file of ['/etc/lsb-release', '/etc/os-release']) {
    if (!fs.existsSync(file)) continue
    const m = /^(?:DISTRIB_RELEASE|VERSION_ID)="?([^"\n]*)"?$/m.exec(fs.readFileSync(file, 'utf8'))
    return m?.[1] ?? ''
  }
  return ''
}

export interface Served {
  path: string
  authorization?: string
}

/**
 * A python-versions mirror on 127.0.0.1: `/<name>` serves files given by name; paths under
 * /truncated/ announce the whole file but break off halfway, paths under /trickle/ send it a byte
 * every 200 ms until the client gives up. Every request is recorded.
 */
export async function serveFiles(files: Record<string, string | Buffer>): Promise<{
  url: string
  requests: Served[]
  close: () => Promise<void>
}> {
  const requests: Served[] = []
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').slice(1))
    requests.push({ path: `/${name}`, authorization: req.headers.authorization })
    const [, mode = '', file] = /^(?:(truncated|trickle)\/)?(.*)$/s.exec(name)!
    const body = files[file]
    if (body === undefined) {
      res.writeHead(404).end()
      return
    }
    const data = typeof body === 'string' ? Buffer.from(body) : body
    res.writeHead(200, { 'content-length': data.length })
    if (mode === 'trickle') {
      let sent = 0
      const timer = setInterval(() => res.write(data.subarray(sent, ++sent)), 200)
      res.on('close', () => clearInterval(timer))
      return
    }
    if (mode === '') {
      res.end(data)
      return
    }
    res.write(data.subarray(0, data.length >> 1), () => res.socket?.destroy())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    requests,
    close: () => new Promise<void>(resolve => server.close(() => resolve()))
  }
}

/** An environment in which the interpreters the tests use (pyenv's, the tool cache's) are out of sight. */
export function withoutTestPythons(runner: Runner): Record<string, string> {
  const empty = path.join(runner.dir, 'no-pyenv')
  fs.mkdirSync(empty, { recursive: true })
  const hidden = new Set(installationDirs())
  return {
    PYENV_ROOT: empty,
    PATH: (process.env.PATH ?? '')
      .split(':')
      .filter(d => !d.includes('/.pyenv/') && !hidden.has(d))
      .join(':')
  }
}
