import { describe, expect, it } from 'vitest'
import { evaluate, interpolate } from '../../scripts/expressions.mjs'
import { inputDefaults, parseCommandFile, unexpectedInputs } from '../../scripts/runner.mjs'

const TOKEN_DEFAULT = "${{ github.server_url == 'https://github.com' && github.token || '' }}"

describe('the local runner (scripts/runner.mjs)', () => {
  it("evaluates the token default as the runner does: the job's token on github.com, none on GHES", () => {
    const github = (server_url: string, token: string) => ({ github: { server_url, token } })
    expect(interpolate(TOKEN_DEFAULT, github('https://github.com', 'ghs_x'))).toBe('ghs_x')
    expect(interpolate(TOKEN_DEFAULT, github('https://GitHub.com', 'ghs_x'))).toBe('ghs_x')
    expect(interpolate(TOKEN_DEFAULT, github('https://ghes.corp.example', 'ghs_x'))).toBe('')
    expect(interpolate(TOKEN_DEFAULT, github('https://github.com', ''))).toBe('')
    expect(inputDefaults().token).toBe('')
    expect(inputDefaults({ server_url: 'https://github.com', token: 't' }).token).toBe('t')
    expect(Object.values(inputDefaults()).join()).not.toContain('${{')
  })

  it('leaves what it cannot evaluate unset, never as text', () => {
    expect(interpolate('${{ secrets.X }}', {})).toBeUndefined()
    expect(interpolate("${{ format('{0}', 1) }}", {})).toBeUndefined()
    expect(evaluate("!(1 == 2) && 'it''s'", {})).toBe("it's")
  })

  it("evaluates post-if's status functions", () => {
    expect(evaluate('always()', { status: 'failure' })).toBe(true)
    expect(evaluate('success()', { status: 'failure' })).toBe(false)
    expect(evaluate('failure() || cancelled()', { status: 'cancelled' })).toBe(true)
  })

  it('warns about unexpected inputs with the runner words, and not about declared ones', () => {
    expect(unexpectedInputs(['python-version', 'cache-dir'])).toBe('')
    expect(unexpectedInputs(['python_version', 'packages', 'nope'])).toMatch(
      /^Unexpected input\(s\) 'python_version', 'nope', valid inputs are \['python-version', 'python-version-file', .*'cache-dir'\]$/
    )
  })

  it('reads heredoc and name=value lines of a command file', () => {
    const text = 'a<<ghadelimiter_1\nline 1\nline 2\nghadelimiter_1\nb=2\na<<EOF\nlast\nEOF\n'
    expect(parseCommandFile(text)).toEqual({ a: 'last', b: '2' })
  })
})
