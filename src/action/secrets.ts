import * as core from '@actions/core'

// The password runs to the last `@` before the host, as urllib (and so pip) splits it.
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]+)(?::([^/\s]*))?@(?=[^@/\s]*(?:[/\s]|$))/gi

/**
 * Finds credentials inside URLs (`https://user:token@host/simple`), registers them with the runner
 * so that every later log line masks them, and returns the text with them replaced by `***`.
 * A token passed as the user name alone (`https://TOKEN@host`) counts too; `ssh://git@host` does not.
 */
export function maskUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, (match, scheme: string, user: string, password?: string) => {
    if (password) {
      core.setSecret(password)
      return `${scheme}${user}:***@`
    }
    if (!/^(git\+)?https?:\/\/$/i.test(scheme) || user === 'git') return match
    core.setSecret(user)
    return `${scheme}***@`
  })
}
