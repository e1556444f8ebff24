import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  describeRun,
  errors,
  hermeticEnv,
  newRunner,
  runAction,
  type Runner
} from '../helpers/action.js'
import {
  makePyPyArchive,
  makePythonArchive,
  osVersion,
  serveFiles,
  withoutTestPythons
} from '../helpers/python-versions.js'
import { findPyPy, lacks, lacksInstallation, pythonOf, type Minor } from '../helpers/pythons.js'
import { bundledWheels } from '../../src/pip/run.js'
import type { PythonInstall } from '../../src/python/probe.js'

const TOKEN = 'ghs_venvguardtesttoken0123456789'

let mirror: Awaited<ReturnType<typeof serveFiles>>
let versions: { old: string; new: string }

/** A manifest like actions/python-versions': several platforms per release, newest first. */
function manifest(
  base: string,
  entries: Array<{ version: string; file?: string; linux?: boolean }>
): string {
  const releases = entries.map(({ version, file, linux = true }) => ({
    version,
    stable: !/-/.test(version),
    release_url: `${base}/releases/${version}`,
    files: [
      {
        filename: `python-${version}-darwin-x64.tar.gz`,
        arch: 'x64',
        platform: 'darwin',
        download_url: `${base}/darwin/${version}.tar.gz`
      },
      {
        filename: `python-${version}-win32-x64.zip`,
        arch: 'x64',
        platform: 'win32',
        download_url: `${base}/win32/${version}.zip`
      },
      {
        filename: `python-${version}-linux-0.1-x64.tar.gz`,
        arch: 'x64',
        platform: 'linux',
        platform_version: '0.1',
        download_url: `${base}/other-linux/${version}.tar.gz`
      },
      ...(linux
        ? [
            {
              filename: `python-${version}-linux-arm64.tar.gz`,
              arch: 'arm64',
              platform: 'linux',
              platform_version: osVersion(),
              download_url: `${base}/arm64/${version}.tar.gz`
            },
            {
              filename: `python-${version}-linux-x64.tar.gz`,
              arch: 'x64',
              platform: 'linux',
              platform_version: osVersion(),
              download_url: `${base}/${file ?? `missing/${version}`}`
            }
          ]
        : [])
    ]
  }))
  return JSON.stringify(releases, null, 2)
}

/** What the lifecycle test asked for: the tests run at once and share the mirror. */
function requestsSince(start: number): string[] {
  return mirror.requests
    .slice(start)
    .map(r => r.path)
    .filter(p => p === '/versions-manifest.json' || p.startsWith('/python-'))
}

function inputsFor(extra: Record<string, string>): Record<string, string> {
  return { 'python-manifest-url': `${mirror.url}/versions-manifest.json`, token: TOKEN, ...extra }
}

// Archives made from this machine's 3.9 and 3.10 installations, served as the manifest names them.
describe
  .skipIf(lacksInstallation('3.9', '3.10'))
  .concurrent('CPython from the python-versions manifest', () => {
    beforeAll(async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-python-versions-'))
      const old = makePythonArchive('3.9', dir)
      const fresh = makePythonArchive('3.10', dir)
      versions = { old: old.version, new: fresh.version }
      // The server reads this map on each request: the manifests, which name its address, come after it.
      const files: Record<string, string | Buffer> = {}
      for (const archive of [old, fresh])
        files[path.basename(archive.file)] = fs.readFileSync(archive.file)
      fs.rmSync(dir, { recursive: true, force: true })
      mirror = await serveFiles(files)
      files['versions-manifest.json'] = manifest(mirror.url, [
        { version: '3.15.0-alpha.1' },
        { version: fresh.version, file: path.basename(fresh.file) },
        { version: '3.9.99', linux: false },
        { version: old.version, file: path.basename(old.file) }
      ])
      files['offers-manifest.json'] = files['versions-manifest.json']
      // An archive behind a pre-signed link and a password: both secrets, as a mirror may serve them.
      files['signed-manifest.json'] = manifest(
        mirror.url.replace('//', '//mirror:PASSWORD0secret@'),
        [{ version: old.version, file: 'signed.tar.gz?X-Amz-Signature=SIGNATURE0secret' }]
      )
      // The old release again, but its archive breaks off halfway every time.
      files['broken-manifest.json'] = manifest(mirror.url, [
        { version: old.version, file: `truncated/${path.basename(old.file)}` }
      ])
    }, 120_000)

    afterAll(async () => {
      await mirror?.close()
    })

    it('is installed into the tool cache, found there next time, and replaced by a newer one with check-latest', async () => {
      const runner = newRunner()
      const env = withoutTestPythons(runner)
      fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), 'alpha==1.0.0\n')
      const prefix = path.join(runner.toolCache, 'Python', versions.old, 'x64')

      // 1. Nothing on the runner matches: the manifest's newest 3.9 is downloaded and set up.
      let start = mirror.requests.length
      const fresh = await runAction(runner, { inputs: inputsFor({ 'python-version': '3.9' }), env })
      expect(fresh.exitCode, describeRun(fresh)).toBe(0)
      expect(requestsSince(start)).toEqual([
        '/versions-manifest.json',
        `/python-${versions.old}-linux-x64.tar.gz`
      ])
      // The token is for GitHub's hosts only, and never printed.
      expect(mirror.requests.every(r => r.authorization === undefined)).toBe(true)
      const printed = (fresh.stdout + fresh.stderr).replace(/^::add-mask::.*$/gm, '')
      expect(printed).not.toContain(TOKEN)
      expect(fresh.stdout).toContain(
        `::group::Install Python ${versions.old} into ${runner.toolCache}`
      )
      expect(fs.existsSync(`${prefix}.complete`)).toBe(true)
      expect(fresh.outputs['python-version']).toBe(versions.old)
      expect(fresh.outputs['base-python-path']).toBe(path.join(prefix, 'bin', 'python3'))
      const venv = path.join(runner.workspace, '.venv')
      expect(fresh.exportedEnv).toMatchObject({
        pythonLocation: prefix,
        Python_ROOT_DIR: prefix,
        Python3_ROOT_DIR: prefix,
        PKG_CONFIG_PATH: path.join(prefix, 'lib', 'pkgconfig'),
        LD_LIBRARY_PATH: path.join(prefix, 'lib'),
        VIRTUAL_ENV: venv
      })
      // The runner prepends each line, so the venv's bin, added last, comes first.
      expect(fresh.addedPath).toEqual([prefix, path.join(prefix, 'bin'), path.join(venv, 'bin')])
      const venvEnv = { ...hermeticEnv(runner), LD_LIBRARY_PATH: fresh.exportedEnv.LD_LIBRARY_PATH }
      const code = 'import sys, alpha; print(alpha.VERSION, sys.base_prefix)'
      expect(
        execFileSync(fresh.outputs['python-path'], ['-c', code], { env: venvEnv, encoding: 'utf8' })
      ).toBe(`1.0.0 ${prefix}\n`)

      // 2. The next run finds it in the tool cache and asks the mirror nothing.
      const spec = { 'python-version': '>=3.9,<3.11' }
      start = mirror.requests.length
      const cached = await runAction(runner, { inputs: inputsFor(spec), env })
      expect(cached.exitCode, describeRun(cached)).toBe(0)
      expect(requestsSince(start)).toEqual([])
      expect(cached.outputs['python-version']).toBe(versions.old)
      expect(cached.stdout).toContain(`found by tool cache (${prefix})`)
      expect(cached.exportedEnv.pythonLocation).toBe(prefix)

      // 3. check-latest: the manifest has a newer match, which replaces it.
      start = mirror.requests.length
      const latest = await runAction(runner, {
        inputs: inputsFor({ ...spec, 'check-latest': 'true' }),
        env
      })
      expect(latest.exitCode, describeRun(latest)).toBe(0)
      expect(requestsSince(start)).toEqual([
        '/versions-manifest.json',
        `/python-${versions.new}-linux-x64.tar.gz`
      ])
      expect(latest.stdout).toContain(`check-latest: ${versions.new} is newer than ${versions.old}`)
      expect(latest.outputs['python-version']).toBe(versions.new)
      expect(
        execFileSync(latest.outputs['python-path'], ['-c', 'import alpha; print(alpha.VERSION)'], {
          env: venvEnv,
          encoding: 'utf8'
        })
      ).toBe('1.0.0\n')

      // 4. check-latest again: the newest is there already, only the manifest is read.
      start = mirror.requests.length
      const again = await runAction(runner, {
        inputs: inputsFor({ ...spec, 'check-latest': 'true' }),
        env
      })
      expect(again.exitCode, describeRun(again)).toBe(0)
      expect(requestsSince(start)).toEqual(['/versions-manifest.json'])
      expect(again.stdout).toContain(`is the newest release matching ">=3.9,<3.11"`)
    }, 300_000) // three CPython set-ups and four pip runs: 120 s is too little on a busy machine

    it('that has no match fails with the versions it offers for this runner', async () => {
      const runner = newRunner()
      const inputs = inputsFor({
        'python-version': '3.15',
        'python-manifest-url': `${mirror.url}/offers-manifest.json`
      })
      const run = await runAction(runner, { inputs, env: withoutTestPythons(runner) })
      expect(run.exitCode).toBe(1)
      expect(errors(run), describeRun(run)).toHaveLength(1)
      const message = errors(run)[0].message
      expect(message).toContain(
        'No Python matching "3.15" (from input \'python-version\') was found on the runner'
      )
      // 3.9.99 has no Linux build: not offered.
      expect(message).toContain(
        `${mirror.url}/offers-manifest.json has no release matching "3.15". It offers for linux x64: 3.15.0-alpha.1, ${versions.new}, ${versions.old}.`
      )
      expect(message).toContain(
        '3.15.0-alpha.1 is a pre-release: set allow-prereleases: true to take it.'
      )
      expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .*\.js:\d+/)
    })

    it('retries a download that breaks off, then says so', async () => {
      const runner = newRunner()
      const start = mirror.requests.length
      const run = await runAction(runner, {
        inputs: inputsFor({
          'python-version': '3.9',
          'python-manifest-url': `${mirror.url}/broken-manifest.json`
        }),
        env: withoutTestPythons(runner)
      })
      expect(run.exitCode).toBe(1)
      expect(errors(run), describeRun(run)).toHaveLength(1)
      const archive = `/truncated/python-${versions.old}-linux-x64.tar.gz`
      expect(errors(run)[0].message).toBe(
        `Downloading Python ${versions.old} from ${mirror.url}${archive} failed despite retries: the connection broke off before the file was complete (aborted).`
      )
      expect(mirror.requests.slice(start).filter(r => r.path === archive)).toHaveLength(3)
      expect(fs.existsSync(path.join(runner.toolCache, 'Python'))).toBe(false)
    })

    it("masks credentials and signatures of a download_url before anything prints them, tool-cache's debug lines too", async () => {
      const runner = newRunner()
      const run = await runAction(runner, {
        inputs: inputsFor({
          'python-version': '3.9',
          'python-manifest-url': `${mirror.url}/signed-manifest.json`
        }),
        env: withoutTestPythons(runner)
      })
      expect(run.exitCode).toBe(1)
      const lines = (run.stdout + run.stderr).split('\n')
      for (const secret of ['PASSWORD0secret', 'SIGNATURE0secret']) {
        const mask = lines.indexOf(`::add-mask::${secret}`)
        expect(mask, describeRun(run)).toBeGreaterThanOrEqual(0)
        const shown = lines.findIndex(l => l.includes(secret) && l !== `::add-mask::${secret}`)
        if (shown !== -1) expect(shown).toBeGreaterThan(mask)
      }
      expect(JSON.stringify(errors(run))).not.toMatch(/PASSWORD0secret|SIGNATURE0secret/)
    })

    it('ends a download that trickles, with one annotation naming it and the mirror input', async () => {
      const runner = newRunner()
      const url = `${mirror.url}/trickle/versions-manifest.json`
      const started = Date.now()
      const run = await runAction(runner, {
        inputs: inputsFor({ 'python-version': '3.9', 'python-manifest-url': url }),
        env: { ...withoutTestPythons(runner), VENV_GUARD_DOWNLOAD_STALL_SECONDS: '1' }
      })
      expect(run.exitCode).toBe(1)
      expect(errors(run), describeRun(run)).toHaveLength(1)
      expect(errors(run)[0].message).toMatch(
        /Downloading the Python manifest from http:\/\/127\.0\.0\.1:\d+\/trickle\/versions-manifest\.json failed: it stalled, fewer than 16 KiB arrived within 1 s \(\d+ bytes in all\)\. The server hangs or is too slow for this runner: set python-manifest-url to a mirror/
      )
      expect(
        mirror.requests.filter(r => r.path === '/trickle/versions-manifest.json')
      ).toHaveLength(1)
      expect(Date.now() - started).toBeLessThan(60_000)
    })

    it('that cannot be reached fails with what to do offline', async () => {
      const runner = newRunner()
      const port = await closedPort()
      const url = `http://127.0.0.1:${port}/versions-manifest.json`
      const run = await runAction(runner, {
        inputs: inputsFor({ 'python-version': '3.9', 'python-manifest-url': url }),
        env: withoutTestPythons(runner)
      })
      expect(run.exitCode).toBe(1)
      expect(errors(run), describeRun(run)).toHaveLength(1)
      const message = errors(run)[0].message
      expect(message).toMatch(
        /^No Python matching "3\.9" \(from input 'python-version'\) was found on the runner\. Found: /
      )
      expect(message).toContain(
        `Downloading the Python manifest from ${url} failed despite retries: the runner cannot reach 127.0.0.1:${port} (ECONNREFUSED). Without internet access, set python-manifest-url to a mirror`
      )
    })
  })

/** PyPy's versions.json as downloads.python.org serves it: a nightly, a pre-release, other platforms. */
function pypyManifest(
  base: string,
  pypy: { pythonVersion: string; pypyVersion: string },
  archive: string
): string {
  const files = (name: string) => [
    {
      filename: `${name}-aarch64.tar.bz2`,
      arch: 'aarch64',
      platform: 'linux',
      download_url: `${base}/missing/${name}-aarch64.tar.bz2`
    },
    {
      filename: `${name}-macos_x86_64.tar.bz2`,
      arch: 'x64',
      platform: 'darwin',
      download_url: `${base}/missing/${name}-macos.tar.bz2`
    },
    {
      filename: `${name}-win64.zip`,
      arch: 'x64',
      platform: 'win64',
      download_url: `${base}/missing/${name}-win64.zip`
    }
  ]
  return JSON.stringify([
    {
      pypy_version: 'nightly',
      python_version: pypy.pythonVersion,
      stable: false,
      latest_pypy: false,
      files: [
        ...files('nightly'),
        {
          filename: 'n.tar.bz2',
          arch: 'x64',
          platform: 'linux',
          download_url: `${base}/missing/nightly.tar.bz2`
        }
      ]
    },
    {
      pypy_version: '7.9.0rc1',
      python_version: '3.99.0',
      stable: false,
      latest_pypy: false,
      files: [
        ...files('pre'),
        {
          filename: 'pre-linux64.tar.bz2',
          arch: 'x64',
          platform: 'linux',
          download_url: `${base}/missing/pre-linux64.tar.bz2`
        }
      ]
    },
    {
      pypy_version: pypy.pypyVersion,
      python_version: pypy.pythonVersion,
      stable: true,
      latest_pypy: true,
      files: [
        ...files('it'),
        { filename: archive, arch: 'x64', platform: 'linux', download_url: `${base}/${archive}` }
      ]
    }
  ])
}

/** A venv of the PyPy gets pip from a wheel it or the system ships (Debian's python3-pip-whl). */
const pypyHasPipWheel = ((found = findPyPy()) =>
  found !== undefined &&
  bundledWheels({
    stdlib: found.stdlib,
    version: { minor: Number(found.minor.split('.')[1]) }
  } as PythonInstall).pip !== undefined)()
if (findPyPy() && !pypyHasPipWheel)
  console.warn(
    'PyPy venv test skipped: the PyPy ships no pip wheel (Debian: apt-get install python3-pip)'
  )

describe.skipIf(!findPyPy() || process.arch !== 'x64')('PyPy from its versions manifest', () => {
  let served: Awaited<ReturnType<typeof serveFiles>>
  let archive: string

  beforeAll(async () => {
    const pypy = findPyPy()!
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-pypy-'))
    const made = makePyPyArchive(pypy, dir)
    archive = path.basename(made.file)
    const files: Record<string, string | Buffer> = { [archive]: fs.readFileSync(made.file) }
    fs.rmSync(dir, { recursive: true, force: true })
    served = await serveFiles(files)
    files['versions.json'] = pypyManifest(served.url, pypy, archive)
    files['trickle-versions.json'] = pypyManifest(served.url, pypy, `trickle/${archive}`)
  }, 120_000)

  afterAll(async () => {
    await served?.close()
  })

  it.skipIf(!pypyHasPipWheel)(
    "is downloaded into the tool cache in setup-python's layout, then runs as CPython does, and is found there next time",
    async () => {
      const pypy = findPyPy()!
      const runner = newRunner()
      const env = withoutTestPythons(runner)
      fs.writeFileSync(path.join(runner.workspace, 'requirements.txt'), 'alpha==1.0.0\n')
      const url = `${served.url}/versions.json`
      const inputs = { 'pypy-manifest-url': url, token: TOKEN }
      const prefix = path.join(runner.toolCache, 'PyPy', pypy.pythonVersion, 'x64')
      const name = `pypy${pypy.pythonVersion}-${pypy.pypyVersion}`

      const fresh = await runAction(runner, {
        inputs: { ...inputs, 'python-version': `pypy${pypy.minor}` },
        env
      })
      expect(fresh.exitCode, describeRun(fresh)).toBe(0)
      expect(served.requests.map(r => r.path)).toEqual(['/versions.json', `/${archive}`])
      expect(served.requests.every(r => r.authorization === undefined)).toBe(true)
      expect(fresh.stdout).toContain(`PyPy "pypy${pypy.minor}", from input 'python-version'`)
      expect(fresh.stdout).toContain(`Reading the PyPy manifest ${url}`)
      expect(fresh.stdout).toContain(
        `Installing PyPy ${pypy.pypyVersion} (Python ${pypy.pythonVersion}) from ${url}.`
      )
      expect(fresh.stdout).toContain(
        `PyPy ${pypy.pypyVersion} (Python ${pypy.pythonVersion}) at ${path.join(prefix, 'bin', 'pypy3')}, found by PyPy's versions manifest, installed into ${prefix}`
      )
      // setup-python's layout: the .complete mark, PYPY_VERSION, and python beside pypy3 (the
      // archive's own pypy3.X stays as it is).
      expect(fs.existsSync(`${prefix}.complete`)).toBe(true)
      expect(fs.readFileSync(path.join(prefix, 'PYPY_VERSION'), 'utf8')).toBe(pypy.pypyVersion)
      for (const link of ['python', 'python3'])
        expect(fs.readlinkSync(path.join(prefix, 'bin', link))).toBe('pypy3')
      expect(fresh.outputs['python-version']).toBe(name)
      expect(fresh.outputs['base-python-path']).toBe(path.join(prefix, 'bin', 'pypy3'))
      expect(fresh.exportedEnv.pythonLocation).toBe(prefix)
      const venv = path.join(runner.workspace, '.venv')
      expect(fresh.outputs['python-path']).toBe(path.join(venv, 'bin', 'python'))
      expect(fresh.outputs['clean-install']).toBe('true')
      expect(
        execFileSync(
          fresh.outputs['python-path'],
          [
            '-c',
            'import sys, alpha; print(alpha.VERSION, sys.implementation.name, sys.base_prefix)'
          ],
          { env: hermeticEnv(runner), encoding: 'utf8' }
        )
      ).toBe(`1.0.0 pypy ${prefix}\n`)

      // setup-python's spec form with PyPy's version: found in the tool cache, nothing downloaded.
      const again = await runAction(runner, {
        inputs: {
          ...inputs,
          'python-version': `pypy-${pypy.minor}-v${pypy.pypyVersion.replace(/\.\d+$/, '.x')}`
        },
        env
      })
      expect(again.exitCode, describeRun(again)).toBe(0)
      expect(served.requests).toHaveLength(2)
      expect(again.stdout).toContain(`found by tool cache (${prefix})`)
      expect(again.outputs['python-version']).toBe(name)
    },
    300_000
  )

  it('that has no match fails with what it offers, the pre-release named', async () => {
    const runner = newRunner()
    const url = `${served.url}/versions.json`
    const run = await runAction(runner, {
      inputs: { 'pypy-manifest-url': url, 'python-version': 'pypy3.99' },
      env: withoutTestPythons(runner)
    })
    expect(run.exitCode).toBe(1)
    expect(errors(run), describeRun(run)).toHaveLength(1)
    const pypy = findPyPy()!
    expect(errors(run)[0].message).toContain(
      `The manifest ${url} has no release matching "pypy3.99". It offers for linux x64: pypy3.99.0-7.9.0rc1, pypy${pypy.pythonVersion}-${pypy.pypyVersion}. pypy3.99.0-7.9.0rc1 is a pre-release: set allow-prereleases: true to take it.`
    )
  })

  it('ends an archive download that trickles, naming pypy-manifest-url', async () => {
    const runner = newRunner()
    const run = await runAction(runner, {
      inputs: {
        'pypy-manifest-url': `${served.url}/trickle-versions.json`,
        'python-version': `pypy${findPyPy()!.minor}`
      },
      env: { ...withoutTestPythons(runner), VENV_GUARD_DOWNLOAD_STALL_SECONDS: '1' }
    })
    expect(run.exitCode).toBe(1)
    expect(errors(run), describeRun(run)).toHaveLength(1)
    expect(errors(run)[0].message).toMatch(
      /^Downloading PyPy \S+ from http:\/\/127\.0\.0\.1:\d+\/trickle\/\S+\.tar\.bz2 failed: it stalled, .* set pypy-manifest-url to a mirror/
    )
    expect(fs.existsSync(path.join(runner.toolCache, 'PyPy'))).toBe(false)
  })
})

async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}

describe('version files', () => {
  const cases: Array<[string, string, Minor]> = [
    [
      '.python-version',
      '# pyenv: a virtualenv name, then a pyenv-virtualenv env, then more\nmyenv\n3.12/envs/tools\n3.11\n',
      '3.12'
    ],
    ['.tool-versions', 'nodejs 20.11.0\npython 3.11.7 3.12.1\n', '3.11'],
    ['pyproject.toml', '[project]\nname = "demo"\nrequires-python = ">=3.10,<3.11"\n', '3.10'],
    ['Pipfile', '[packages]\nalpha = "*"\n\n[requires]\npython_version = "3.9"\n', '3.9']
  ]
  for (const [file, content, minor] of cases)
    it.skipIf(lacks(minor))(`${file} names the Python`, async () => {
      const runner: Runner = newRunner()
      fs.writeFileSync(path.join(runner.workspace, file), content)
      const run = await runAction(runner, {
        inputs: { 'python-version-file': file, 'create-venv': 'false', upgrade: '' }
      })
      expect(run.exitCode, describeRun(run)).toBe(0)
      expect(run.outputs['python-version']).toBe(pythonOf(minor).version)
    })

  it.skipIf(lacks('3.11'))(
    '.python-version is read with no version input, and the log says so',
    async () => {
      const runner: Runner = newRunner()
      fs.writeFileSync(path.join(runner.workspace, '.python-version'), '3.11\n')
      const run = await runAction(runner, { inputs: { 'create-venv': 'false', upgrade: '' } })
      expect(run.exitCode, describeRun(run)).toBe(0)
      expect(run.outputs['python-version']).toBe(pythonOf('3.11').version)
      expect(run.stdout).toContain(
        `Python "3.11", from ${path.join(runner.workspace, '.python-version')} (read by default: no python-version input)`
      )
    }
  )
})
