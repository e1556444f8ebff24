import * as path from 'node:path'
import { normalizeName } from '../pip/names.js'
import { finding, type Finding, type Located } from './finding.js'
import { blockAfter, nameOf, type Locator } from './locator.js'

/** pip's complaints about the requirements themselves: invalid lines, missing files, versions, conflicts. */

export function invalidRequirements(lines: string[], locate: Locator): Finding[] {
  const found: Finding[] = []
  lines.forEach((line, i) => {
    const m = /^ERROR: Invalid requirement: (.*)$/.exec(line)
    if (!m) return
    const block = [m[1], ...blockAfter(lines, i).filter(l => !/^ERROR:/.test(l))]
    const quoted = /^'(.*?)'(?::|$| \(from)/.exec(m[1])?.[1] ?? m[1]
    const where = locate.fromText(block.join('\n')) ?? locate.byLine(quoted)
    const reason = /^'.*?': (.*?)(?: \(from line \d+ of .*\))?$/.exec(m[1])?.[1]
    // Hints and optparse's complaint; not pip 24's caret drawing, which an annotation cannot align.
    const details = block
      .slice(1)
      .filter(l => /^(Hint|.*error): /.test(l))
      .map(l => l.replace(/^.*?error: /, ''))
    const message = [`Invalid requirement: ${quoted}${reason ? ` (${reason})` : ''}`, ...details]
    found.push(finding('invalid-requirement', message.join('\n'), where))
  })
  return found
}

export function notProjects(lines: string[], locate: Locator): Finding[] {
  return lines.flatMap(line => {
    const m =
      /^ERROR: Directory '(.+)' is not installable\. (.*)$/.exec(line) ??
      /^ERROR: (.+) does not appear to be a Python project: (.*)$/.exec(line)
    if (!m) return []
    const message = `${m[1]} is not a Python project: ${m[2]}`
    return [finding('invalid-requirement', message, locate.byPath(m[1]))]
  })
}

export function missingFiles(lines: string[], locate: Locator): Finding[] {
  return lines.flatMap(line => {
    const m = /Could not open requirements file: \[Errno \d+\] ([^:]+): '(.+)'$/.exec(line)
    if (!m) return []
    const message = `${locate.relative(m[2])} cannot be opened: ${m[1]}. Fix the path (relative to this file) or remove the line.`
    return [finding('missing-file', message, locate.includeOf(m[2]))]
  })
}

// What pip logs when the index is down, failing or silent, before it concludes that nothing matches.
const INDEX_TROUBLE =
  /Retrying \(Retry\(|Could not fetch URL|Failed to establish a new connection|Read timed out|HTTP error \d{3}|ConnectTimeoutError|Max retries exceeded/

export function notFound(lines: string[], locate: Locator): Finding[] {
  const unreachable = lines.find(l => INDEX_TROUBLE.test(l))
  const pythonNote = lines
    .map(l =>
      /^ERROR: (Ignored the following versions that require a different python version: .*)$/.exec(
        l
      )
    )
    .find(Boolean)?.[1]
  return lines.flatMap(line => {
    const m =
      /^ERROR: Could not find a version that satisfies the requirement (.+?)(?: \(from (.*)\))? \(from versions: ([^)]*)\)$/.exec(
        line
      )
    if (!m) return []
    const [, spec, parent, versions] = m
    // pip's "from versions: none": it found no version at all (no such project where it looked,
    // or none for this Python), which is not the same as finding some that do not match.
    const found =
      versions === 'none' ? 'pip found no version of it at all' : `pip found ${versions}`
    const direct = locate.fromText(line)
    const parentName = parent && !parent.startsWith('-') ? parent.split('->')[0] : undefined
    const where =
      direct ?? (parentName ? locate.byRequirement(parentName) : locate.byRequirement(spec))
    const what = parentName
      ? `${parentName.replace(/[=<>!~].*$/, '')} needs ${spec}, and no version of it matches (${found}).`
      : `No version of ${spec} matches (${found}).`
    const note = pythonNote ? `\n${pythonNote}` : ''
    const advice = unreachable
      ? `pip could not reach the index (${unreachable.trim()}): check that it is up and reachable from the runner.`
      : 'Check the name and the version range, and the index pip uses.'
    return [finding('not-found', `${what} ${advice}${note}`, where)]
  })
}

export function otherPython(lines: string[], locate: Locator): Finding[] {
  return lines.flatMap(line => {
    const m = /^ERROR: Package '(.+)' requires a different Python: (\S+) not in '(.+)'$/.exec(line)
    if (!m) return []
    const message = `${m[1]} requires Python ${m[3]}, and this is Python ${m[2]}. Use a version of ${m[1]} that supports it, or another python-version.`
    return [finding('not-found', message, locate.byRequirement(m[1]))]
  })
}

interface Cause {
  /** As pip says it: `alpha 2.0.0 depends on beta>=2`, `The user requested beta==1`. */
  text: string
  /** How it reads as what this line asks for, and as what another line asks for. */
  asSubject: string
  asOther: string
  where?: Located
}

function conflictCause(text: string, locate: Locator): Cause {
  const constraint = /^The user requested \(constraint\) (.+)$/.exec(text)
  if (constraint) {
    const spec = `the constraint ${constraint[1]}`
    return {
      text,
      asSubject: spec,
      asOther: spec,
      where: locate.byRequirement(constraint[1], true)
    }
  }
  const requested = /^The user requested (.+)$/.exec(text)
  if (requested) {
    return {
      text,
      asSubject: requested[1],
      asOther: requested[1],
      where: locate.byRequirement(requested[1])
    }
  }
  const dependsOn = /^(\S+ \S+) depends on (.+)$/.exec(text)
  if (dependsOn) {
    const other = `${dependsOn[1]}, which depends on ${dependsOn[2]}`
    return { text, asSubject: text, asOther: other, where: locate.byRequirement(dependsOn[1]) }
  }
  return { text, asSubject: text, asOther: text }
}

export function conflicts(lines: string[], locate: Locator): Finding[] {
  const header = lines.findIndex(l =>
    /^ERROR: Cannot install .* because these package versions have conflicting dependencies\.$/.test(
      l
    )
  )
  if (header === -1) return []
  const causedBy = lines.findIndex(l => l.trim() === 'The conflict is caused by:')
  const causes = (causedBy === -1 ? [] : blockAfter(lines, causedBy)).map(l =>
    conflictCause(l.trim(), locate)
  )
  const other = (c: Cause) => `${c.asOther}${c.where ? ` (${locate.label(c.where)})` : ''}`
  // pip 24+: "Additionally, some packages in these conflicts have no matching distributions
  // available": then the pin names a version the index does not have, no conflict to loosen.
  const note = lines.findIndex(l => /have no matching distributions available/.test(l))
  const unavailable = new Set(
    (note === -1 ? [] : blockAfter(lines, note)).map(l => normalizeName(l.trim()))
  )
  const located = new Map<string, Finding>()
  for (const cause of causes) {
    if (!cause.where || located.has(locate.label(cause.where))) continue
    const others = causes.filter(c => c !== cause).map(other)
    const name = nameOf(cause.text.replace(/^The user requested (\(constraint\) )?/, ''))
    const message =
      name && unavailable.has(name)
        ? `${cause.asSubject}: the index has no distribution of ${name} that matches it${others.length > 0 ? ` and ${others.join(' and ')}` : ''}. Check that the version exists on the index pip uses, or change the pin.`
        : `${cause.asSubject}, which conflicts with ${others.join(' and ') || 'another requirement'}. Loosen or change one of them.`
    located.set(locate.label(cause.where), finding('conflict', message, cause.where))
  }
  // Lines pip names whose conflict comes from deeper in the dependency tree.
  const all = causes.map(c => c.text).join('; ')
  for (const m of lines[header].matchAll(/-[rc] (.+?) \(line (\d+)\)/g)) {
    const where = { file: path.resolve(m[1]), line: Number(m[2]) }
    const message = `This requirement cannot be installed: ${all}. Loosen or change one of them.`
    if (!located.has(locate.label(where)))
      located.set(locate.label(where), finding('conflict', message, where))
  }
  if (located.size > 0) return [...located.values()]
  return [finding('conflict', `pip found conflicting requirements: ${all || lines[header]}`)]
}
