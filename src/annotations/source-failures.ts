import { redactUrlCredentials } from '../report/secrets.js'
import { finding, type Finding, type Located } from './finding.js'
import { blockAfter, FROM_FILE, nameOf, type Locator } from './locator.js'

/** pip's failures to get, check or build a requirement's files: hashes, downloads, clones, builds. */

const HASH_HEADERS: Array<
  [RegExp, (item: string, details: string[], parent?: string, header?: string) => string]
> = [
  [
    /^ERROR: THESE PACKAGES DO NOT MATCH THE HASHES/,
    (item, details) => {
      const expected = details.find(d => /^Expected /.test(d))?.replace(/\s+/g, ' ')
      const got = details.find(d => /^Got /.test(d))?.replace(/^Got\s+/, '')
      return `The file pip got for ${item} does not match the --hash here (${expected ?? 'expected another hash'}, got ${got ?? 'another'}). If you changed the version, update the hash; otherwise the file may have been tampered with.`
    }
  ],
  [
    /^ERROR: Hashes are required in --require-hashes mode, but they are missing/,
    item => {
      const [spec, hash] = item.split(/ (?=--hash=)/)
      return `${spec} has no --hash, and hash-checking mode (--require-hashes, or a --hash on any line) needs one for every package. Add: ${spec} ${hash ?? ''}`.trim()
    }
  ],
  [
    /^ERROR: In --require-hashes mode, all requirements must have their versions pinned with ==/,
    (item, _details, parent) =>
      parent
        ? `${parent} needs ${item}, and hash-checking mode (--require-hashes, or a --hash on any line) needs every package pinned with == and hashed: add ${item.replace(/[<>=!~;\s].*$/, '')}==VERSION --hash=sha256:... to the requirements.`
        : `${item} must be pinned with == in hash-checking mode (--require-hashes, or a --hash on any line).`
  ],
  [
    /^ERROR: Can't verify hashes for these /,
    (item, _details, _parent, header) => {
      const why = /because (.*?):?$/.exec(header ?? '')?.[1]
      return `pip cannot verify a hash for ${item}${why ? `: ${why}` : ''}. In hash-checking mode (a lock with hashes, --require-hashes, or a --hash on any line) every package must be a file with a hash: install this one in a step of its own, or use a wheel or sdist of it.`
    }
  ]
]

export function hashes(lines: string[], locate: Locator): Finding[] {
  const found: Finding[] = []
  lines.forEach((line, i) => {
    const header = HASH_HEADERS.find(([re]) => re.test(line))
    if (!header) return
    // Items are indented by four spaces, their details (Expected/Got) by more.
    const items: Array<{ text: string; details: string[] }> = []
    for (const l of blockAfter(lines, i)) {
      if (/^\s{5,}\S/.test(l)) items.at(-1)?.details.push(l.trim())
      else if (/^\s{4}\S/.test(l)) items.push({ text: l.trim().replace(/:$/, ''), details: [] })
    }
    for (const { text, details } of items) {
      const spec = text
        .replace(/ from \S+.*$/, '')
        .replace(FROM_FILE, '')
        .replace(/ \(from [^()]+\)$/, '')
        .trim()
      const where = locate.fromText(text) ?? locate.byRequirement(spec)
      // A dependency pip found unhashed: blamed on the line that brought it in, which it names.
      const parent = /\(from ([^()\s]+?)->/.exec(text)?.[1]
      found.push(finding('hash', header[1](spec, details, parent, line), where))
    }
  })
  return found
}

/** An editable requirement (`-e ./dir`, a lock's editable directory) in hash-checking mode. */
export function editablesUnderHashes(lines: string[], locate: Locator): Finding[] {
  return lines.flatMap(line => {
    const m =
      /^ERROR: The editable requirement (\S+) .*cannot be installed when requiring hashes, because (.*?)\.?$/.exec(
        line
      )
    if (!m) return []
    const message = `The editable ${redactUrlCredentials(m[1])} cannot be installed in hash-checking mode (a lock with hashes, --require-hashes, or a --hash on any line): ${m[2]}. Install it in a step of its own, or make it not editable.`
    return [finding('hash', message, locate.fromText(line))]
  })
}

/** What pip was collecting when a line failed: the last Collecting/Obtaining/Processing line before it. */
function collectingBefore(lines: string[], index: number): string | undefined {
  return lines
    .slice(0, index)
    .reverse()
    .find(l => /^(?:Collecting|Obtaining|Processing) /.test(l))
}

const VCS_COMMAND = /^\s*× (?:git (?:clone|fetch|checkout)|hg clone|svn checkout|bzr branch)\b/

/** A VCS requirement whose checkout failed: nothing was built, the clone itself did not work. */
export function clones(lines: string[], locate: Locator): Finding[] {
  const found = new Map<string, Finding>()
  lines.forEach((line, i) => {
    if (!VCS_COMMAND.test(line)) return
    const url = /\s'?([a-z][a-z0-9+.-]*:\/\/[^\s']+)/i.exec(line)?.[1]
    if (!url || found.has(url)) return
    const reason = lines
      .slice(0, i)
      .reverse()
      .find(l => /^\s*(fatal|abort|svn: E\d+|ERROR):? /.test(l))
      ?.trim()
    const collecting = collectingBefore(lines, i)
    const where = (collecting ? locate.fromText(collecting) : undefined) ?? locate.byText(url)
    const message = `Cloning ${redactUrlCredentials(url)} failed${reason ? ` (${reason})` : ''}. Check the URL and the branch, tag or commit it names, that the host is reachable from the runner, and for a private repository that the job has credentials for it (a token from a secret in the URL, e.g. git+https://\${TOKEN}@host/org/repo.git, or an SSH deploy key); or install a released version from the index instead.`
    found.set(url, finding('clone', message, where))
  })
  return [...found.values()]
}

/** A URL or path requirement that pip could not download or open. */
export function fetches(lines: string[], locate: Locator): Finding[] {
  const index = lines.findIndex(
    l =>
      /^ERROR: Could not install packages due to an OSError: /.test(l) ||
      /^× .* while fetching \S+/.test(l)
  )
  if (index === -1) return []
  const line = lines[index]
  const url = / while fetching (\S+)/.exec(line)?.[1]
  // A missing file is a requirement's only when a line names it (not a file pip was installing).
  const missing = /No such file or directory: '([^']+)'/.exec(line)?.[1]
  if (missing && !url && !locate.byText(missing)) return []
  const pool = /host='([^']+)'.*?url: (\S+) \(/.exec(line)
  if (!url && !missing && !pool) return []
  const collecting = collectingBefore(lines, index)
  const where =
    (url ? locate.byText(url) : undefined) ??
    (missing ? locate.byText(missing) : undefined) ??
    (pool ? locate.byText(pool[2]) : undefined) ??
    (collecting ? locate.fromText(collecting) : undefined)
  const target = url ?? missing ?? (where && locate.textAt(where)) ?? `${pool![1]}…${pool![2]}`
  const reason = url
    ? (lines[index + 1] ?? '').replace(/^\s*╰─>\s*/, '').trim()
    : line.replace(/^ERROR: Could not install packages due to an OSError: /, '').slice(0, 300)
  const message = `${redactUrlCredentials(target)} could not be fetched${reason ? ` (${reason})` : ''}. Check that the URL or path is right, that the file exists, and that its host is reachable from the runner.`
  return [finding('fetch', message, where)]
}

/** The last line a failed build printed before `[end of output]`: usually the compiler's or setup.py's error. */
function buildCause(lines: string[], from: number): string | undefined {
  const end = lines.findIndex((l, i) => i > from && l.trim() === '[end of output]')
  if (end === -1) return undefined
  return lines
    .slice(from, end)
    .map(l => l.trim())
    .filter(l => l !== '' && !/^(╰─>|│)/.test(l))
    .pop()
}

/**
 * The name of what pip collects: `name @ url`, `name@ url` and `name from url` name it; an sdist
 * by its file name; a bare URL or path (`-e .`, `git+https://host/kombu.git`) by its line as
 * written, or by the URL itself.
 */
function collectedName(target: string, lineText: string | undefined): string {
  const named = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:@|\sfrom\s)/.exec(target)
  if (named) return named[1]
  const sdist = /([^/]+?)-\d[^/-]*\.(?:tar\.gz|zip|tar\.bz2|tgz|tar)$/.exec(target)
  if (sdist) return sdist[1]
  if (!/[/\\:]/.test(target)) return target.split(/[\s=<>!~;[]/)[0]
  return redactUrlCredentials(lineText ?? target)
}

export function builds(lines: string[], locate: Locator): Finding[] {
  const found = new Map<string, Finding>()
  // What pip collected so far, by name, with the line it names (pip 23.1+ says it); the last one
  // is what a failed metadata step, which does not name its package, was working on.
  const collected = new Map<string, Located | undefined>()
  let last: string | undefined
  lines.forEach((line, i) => {
    const collecting = /^(?:Collecting|Processing|Obtaining) (.+?)(?: \(from .*\))?$/.exec(line)
    if (collecting) {
      const where = locate.fromText(line)
      last = collectedName(collecting[1], where && locate.textAt(where))
      collected.set(nameOf(last) ?? last, where)
      return
    }
    if (VCS_COMMAND.test(line)) return
    const failed =
      /^\s*× (?:Building (?:wheel|editable) for (\S+) .*|.*) did not run successfully\.$/.exec(line)
    const name = failed ? (failed[1] ?? last) : undefined
    const key = name && (nameOf(name) ?? name)
    if (!name || !key || found.has(key)) return
    const step = line.replace(/^\s*× /, '').replace(/ did not run successfully\.$/, '')
    const cause = buildCause(lines, i)
    const message = `${name} could not be built from source (${step} failed)${cause ? `: ${cause}` : ''}. The full build log is in pip's output. Pin a version that has a wheel for this platform, or install what the build needs.`
    found.set(key, finding('build', message, collected.get(key) ?? locate.byRequirement(name)))
  })
  return [...found.values()]
}
