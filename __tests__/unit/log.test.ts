import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { pauseUntrustedOutput, neutralise, UntrustedOutput } from '../../src/report/log.js'
import { parseCommands } from '../helpers/action.js'

describe('neutralise', () => {
  it.each([
    ['::warning::forged'],
    ['  ::error file=x,line=1::forged'],
    ['\t::add-mask::x'],
    ['ok\n::warning::forged'],
    ['ok\r::warning::forged'],
    ['ok\r\n  ::set-output name=a::b'],
    ['\u0085::warning::forged'],
    ['anything ##[error]forged'],
    ['##[warning]forged ##[error]again']
  ])('%j is no workflow command', text => {
    const safe = neutralise(text)
    expect(parseCommands(safe)).toEqual([])
    // What a reader sees stays the same, but for invisible characters.
    expect(safe.replace(/\u200b/g, '')).toBe(text)
  })

  it('leaves ordinary text alone', () => {
    const text = 'venv: creating a new venv at /w/.venv (a::b, c ## [d])\nnext line'
    expect(neutralise(text)).toBe(text)
  })
})

describe('UntrustedOutput', () => {
  function stream(): { writable: Writable; text: () => string } {
    let text = ''
    const writable = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString()
        done()
      }
    })
    return { writable, text: () => text }
  }

  function capture(writes: string[]): string {
    const { writable, text } = stream()
    const out = new UntrustedOutput(writable)
    for (const w of writes) out.write(w)
    out.end()
    return text()
  }

  it('stops command processing for what it writes, and resumes on a line of its own', () => {
    const text = capture(['Collecting x\n::warning::forged\n', 'ERROR: ##[error]forged', ''])
    expect(parseCommands(text)).toEqual([])
    expect(parseCommands(`${text}::warning::ours\n`)).toEqual([
      { command: 'warning', properties: {}, data: 'ours' }
    ])
  })

  it('is paused by an annotation, and opened anew (another token) for what the program says next', () => {
    const { writable, text } = stream()
    const out = new UntrustedOutput(writable)
    out.write('Preparing metadata: started')
    pauseUntrustedOutput() // what an annotation does before it is printed
    writable.write('::error::ours\n')
    out.write('::warning::forged\n')
    out.end()
    out.write('::warning::after the end\n')
    expect(parseCommands(text())).toEqual([{ command: 'error', properties: {}, data: 'ours' }])
    const tokens = text().match(/^::stop-commands::(.+)$/gm) ?? []
    expect(new Set(tokens).size).toBe(2)
  })
})
