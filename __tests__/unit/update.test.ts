import { describe, expect, it } from 'vitest'
import { beyondTools, changeTo, whyNotUpdate } from '../../src/install/update.js'

const dist = (name: string, version: string, sha = 'a', requested = true) => ({
  name,
  version,
  sha256: sha.repeat(64),
  requested
})
const tools = [dist('pip', '26.2.1'), dist('setuptools', '84.0.0'), dist('wheel', '0.48.0')]
const held = { tools, dists: [dist('alpha', '1.0'), dist('beta', '2.0', 'b', false)] }
const present = ['alpha 1.0', 'beta 2.0', 'pip 26.2.1', 'setuptools 84.0.0', 'wheel 0.48.0']

describe('changeTo', () => {
  it('removes what differs in version, file or request, and installs what is new', () => {
    const wanted = [dist('Alpha', '1.0'), dist('beta', '2.0', 'b', true), dist('gamma', '3.0')]
    expect(changeTo(held.dists, wanted)).toEqual({
      remove: [dist('beta', '2.0', 'b', false)],
      add: [dist('beta', '2.0', 'b', true), dist('gamma', '3.0')]
    })
    expect(changeTo(held.dists, [dist('alpha', '1.0', 'c')])).toEqual({
      remove: held.dists,
      add: [dist('alpha', '1.0', 'c')]
    })
    expect(changeTo(held.dists, held.dists)).toEqual({ remove: [], add: [] })
  })
})

describe('whyNotUpdate', () => {
  it('lets an update start when the venv holds what its marker lists and the tools are the same', () => {
    expect(whyNotUpdate(held, present, [...tools].reverse(), [dist('gamma', '1')])).toBeUndefined()
  })

  it('refuses what would not end as a new venv', () => {
    expect(whyNotUpdate(held, [...present, 'omega 1.0'].sort(), tools, [])).toMatch(/later step/)
    expect(whyNotUpdate(held, present.slice(1), tools, [])).toMatch(/later step/)
    expect(whyNotUpdate(held, present, [dist('pip', '26.3'), ...tools.slice(1)], [])).toMatch(
      /other tools/
    )
    expect(whyNotUpdate(held, present, undefined, [])).toMatch(/other tools/)
    expect(whyNotUpdate(held, present, tools, undefined)).toMatch(/one file from an index/)
    expect(whyNotUpdate(held, present, tools, [dist('setuptools', '70.0')])).toMatch(
      /another version of a tool/
    )
  })
})

describe('beyondTools', () => {
  it('leaves out a tool a requirement needs in the very file the upgrade installed', () => {
    const needs = [dist('black', '26.5.1'), dist('wheel', '0.48.0', 'a', false)]
    expect(beyondTools(tools, needs)).toEqual([dist('black', '26.5.1')])
  })

  it('is undefined when a requirement needs a tool in another version or file', () => {
    expect(beyondTools(tools, [dist('wheel', '0.43.0')])).toBeUndefined()
    expect(beyondTools(tools, [dist('wheel', '0.48.0', 'c')])).toBeUndefined()
  })
})
