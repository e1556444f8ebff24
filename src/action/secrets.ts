import * as core from '@actions/core'

// The password runs to the last `@` before the host, as urllib (and so pip) splits it.
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]+)(?::([^/\s]*))?@(?=[^@/\s]*(?:[/\s]|$))/gi

/** An unset `${VAR}` pip left in a URL: a placeholder, not a secret. */
const PLACEHOLDER = /^\$\{[A-Z0-9_]+\}$/

function replaceCredentials(text: string, register: (secret: string) => void): string {
  return text.replace(URL_USERINFO, (match, scheme: string, user: string, password?: string) => {
    if (password) {
      if (PLACEHOLDER.test(password)) return match
      register(password)
      return `${scheme}${user}:***@`
    }
    if (!/^(git\+)?https?:\/\/$/i.test(scheme) || user === 'git' || PLACEHOLDER.test(user))
      return match
    register(user)
    return `${scheme}***@`
  })
}

/**
 * Finds credentials inside URLs (`https://user:token@host/simple`), registers them with the runner
 * so that every later log line masks them, and returns the text with them replaced by `***`.
 * A token passed as the user name alone (`https://TOKEN@host`) counts too; `ssh://git@host` does not,
 * nor does an unset `${VAR}` left as written.
 */
export function maskUrlCredentials(text: string): string {
  return replaceCredentials(text, secret => core.setSecret(secret))
}

/** The text with credentials in URLs replaced by `***`, registering nothing (for pure code). */
export function redactUrlCredentials(text: string): string {
  return replaceCredentials(text, () => {})
}
