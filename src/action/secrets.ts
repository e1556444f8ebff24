import * as core from '@actions/core'

/** A URL's scheme and its netloc: everything up to the first `/`, `?` or `#`, as urlsplit cuts it. */
const URL_NETLOC = /([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)/gi

/** An unset `${VAR}` pip left in a URL: a placeholder, not a secret. */
const PLACEHOLDER = /^\$\{[A-Z0-9_]+\}$/

/** Both the form written and the one pip sends (pip percent-decodes the user and password). */
function registerSecret(secret: string): void {
  core.setSecret(secret)
  try {
    const decoded = decodeURIComponent(secret)
    if (decoded !== secret) core.setSecret(decoded)
  } catch {
    // not valid percent-encoding: pip sends it as written
  }
}

/**
 * The user information is split as urllib and pip split it: up to the last `@` of the netloc, then
 * at the first `:` (`https://me@corp.example:TOKEN@host`, `https://:TOKEN@host`).
 */
function replaceCredentials(text: string, register: (secret: string) => void): string {
  return text.replace(URL_NETLOC, (match, scheme: string, netloc: string) => {
    const at = netloc.lastIndexOf('@')
    if (at === -1) return match
    const userinfo = netloc.slice(0, at)
    const host = netloc.slice(at)
    const colon = userinfo.indexOf(':')
    const user = colon === -1 ? userinfo : userinfo.slice(0, colon)
    const password = colon === -1 ? '' : userinfo.slice(colon + 1)
    if (password) {
      if (PLACEHOLDER.test(password)) return match
      register(password)
      return `${scheme}${user}:***${host}`
    }
    if (!/^(git\+)?https?:\/\/$/i.test(scheme) || user === 'git' || user === '') return match
    if (PLACEHOLDER.test(user)) return match
    register(user)
    return `${scheme}***${host}`
  })
}

/**
 * Finds credentials inside URLs (`https://user:token@host/simple`), registers them with the runner
 * so that every later log line masks them, and returns the text with them replaced by `***`.
 * A token passed as the user name alone (`https://TOKEN@host`) counts too; `ssh://git@host` does not,
 * nor does an unset `${VAR}` left as written.
 */
export function maskUrlCredentials(text: string): string {
  return replaceCredentials(text, registerSecret)
}

/** The text with credentials in URLs replaced by `***`, registering nothing (for pure code). */
export function redactUrlCredentials(text: string): string {
  return replaceCredentials(text, () => {})
}

/**
 * pip's variables that can hold index or find-links URLs (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL,
 * PIP_FIND_LINKS, and any other PIP_* a user sets): their credentials are masked before anything runs.
 */
export function maskPipEnvironment(env: NodeJS.ProcessEnv): void {
  for (const [key, value] of Object.entries(env)) {
    if (key.toUpperCase().startsWith('PIP_') && value) maskUrlCredentials(value)
  }
}
