import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { readConfig } from '../../src/action/inputs.js'

/** .python-version read with no version input, as actions/setup-python (v5+) and setup-uv do. */

let workspace: string
beforeEach(() => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-default-version-'))
  fs.mkdirSync(path.join(workspace, 'app'))
  vi.stubEnv('GITHUB_WORKSPACE', workspace)
})
afterEach(() => {
  vi.unstubAllEnvs()
  fs.rmSync(workspace, { recursive: true, force: true })
})

const config = (inputs: Record<string, string>) => readConfig(name => inputs[name] ?? '')
const write = (file: string, content: string) =>
  fs.writeFileSync(path.join(workspace, file), content)

describe('.python-version with no version input', () => {
  it('is read in working-directory, and the source says it was read by default', async () => {
    write('.python-version', '3.11\n')
    write('app/.python-version', '3.12\n')
    expect(await config({ 'working-directory': 'app' })).toMatchObject({
      pythonVersion: '3.12',
      pythonVersionSource: `${path.join(workspace, 'app', '.python-version')} (read by default: no python-version input)`
    })
  })

  it('else in the workspace', async () => {
    write('.python-version', '# pyenv\nsystem\n3.10.4\n')
    expect(await config({ 'working-directory': 'app' })).toMatchObject({
      pythonVersion: '3.10.4',
      pythonVersionSource: `${path.join(workspace, '.python-version')} (read by default: no python-version input)`
    })
  })

  it('is passed over when it names no version, or is not a file', async () => {
    write('app/.python-version', 'system\nmyenv\n')
    fs.mkdirSync(path.join(workspace, '.python-version'))
    expect(await config({ 'working-directory': 'app' })).toMatchObject({ pythonVersion: '' })
  })

  it('gives way to python-version, python-version-file and python-path', async () => {
    write('.python-version', '3.11\n')
    write('.tool-versions', 'python 3.9.1\n')
    expect(await config({ 'python-version': '3.13' })).toMatchObject({
      pythonVersion: '3.13',
      pythonVersionSource: "input 'python-version'"
    })
    expect(await config({ 'python-version-file': '.tool-versions' })).toMatchObject({
      pythonVersion: '3.9.1',
      pythonVersionSource: '.tool-versions'
    })
    // python-path names the interpreter itself: a version read by default would only contradict it.
    expect(await config({ 'python-path': '/usr/bin/python3' })).toMatchObject({
      pythonVersion: ''
    })
  })
})
