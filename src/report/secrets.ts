import * as core from '@actions/core'

/** A URL's scheme and its netloc: everything up to the first `/`, `?` or `#`, as urlsplit cuts it. */
const URL_NETLOC = /([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)/gi

/** An unset `${VAR}` pip left in a URL: a placeholder, not a secret. */
const PLACEHOLDER = /^\$\{[A-Z0-9_]+\}$/

/**
 * Query parameters that carry a credential or a signature (pre-signed S3 and GCS links, Azure SAS,
 * OAuth tokens): whoever reads the URL can download with it until it expires.
 */
const SECRET_QUERY =
  /([?&](?:x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|signature|sig|token|access_token)=)([^&#\s'"<>]+)/gi

/** Secrets already registered: a lock file repeats one index token in each of 10,000 entries. */
const registered = new Set<string>()

function registerOnce(secret: string): void {
  if (registered.has(secret)) return
  registered.add(secret)
  core.setSecret(secret)
}

/** Both the form written and the one pip sends (pip percent-decodes the user and password). */
function registerSecret(secret: string): void {
  registerOnce(secret)
  try {
    registerOnce(decodeURIComponent(secret))
  } catch {
    // not valid percent-encoding: pip sends it as written
  }
}

/**
 * The user information is split as urllib and pip split it: up to the last `@` of the netloc, then
 * at the first `:` (`https://me@corp.example:TOKEN@host`, `https://:TOKEN@host`).
 */
function replaceCredentials(text: string, register: (secret: string) => void): string {
  const withoutSignatures = text.replace(SECRET_QUERY, (match, name: string, value: string) => {
    if (PLACEHOLDER.test(value)) return match
    register(value)
    return `${name}***`
  })
  return withoutSignatures.replace(URL_NETLOC, (match, scheme: string, netloc: string) => {
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
    // Over HTTP a user name alone is a token (`git+https://TOKEN@host`); over SSH it is a login.
    if (!/^((git|hg|svn|bzr)\+)?https?:\/\/$/i.test(scheme) || user === 'git' || user === '') {
      return match
    }
    if (PLACEHOLDER.test(user)) return match
    register(user)
    return `${scheme}***${host}`
  })
}

/**
 * Finds credentials inside URLs (`https://user:token@host/simple`), registers them with the runner
 * so that every later log line masks them, and returns the text with them replaced by `***`.
 * A token passed as the user name alone (`https://TOKEN@host`, `hg+https://TOKEN@host`) counts too;
 * `ssh://git@host` does not, nor does an unset `${VAR}` left as written. So do signature and token
 * query parameters (`?X-Amz-Signature=…`). Each secret is registered once.
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
