import { pylockFailures } from '../pip/pylock.js'
import { finding, type Finding } from './finding.js'
import { Locator, type RequirementsContext } from './locator.js'
import {
  conflicts,
  invalidRequirements,
  missingFiles,
  notFound,
  notProjects,
  otherPython
} from './requirement-failures.js'
import { builds, clones, editablesUnderHashes, fetches, hashes } from './source-failures.js'

/**
 * pip's failures mapped back to the requirement lines that caused them, so that a reviewer sees
 * the annotation on the line in the pull request's diff. The mapping is pure: pip's output in,
 * findings out (written against real output of pip 23.0 to 24.2, see
 * __tests__/fixtures/pip-output). Emitting them respects GitHub's cap of 10 annotations per type
 * and step: the most important first, the rest only in the job summary.
 */

/** pip's error lines, for a failure no line could be traced to; else its last words (a usage error). */
export function pipErrorLines(output: string): string {
  const lines = output.split(/\r?\n/)
  const errors = lines.filter(line => /^(ERROR|error):|^\s*×|^\s*╰─>/.test(line))
  // pip's own crash ("ERROR: Exception:") says what went wrong only on the traceback's last line.
  const crash = errors.includes('ERROR: Exception:')
    ? lines.filter(line => /^[\w.]+(Error|Exception|Marker|Requirement)\b[^:]*: /.test(line)).pop()
    : undefined
  if (crash) errors.push(crash)
  if (errors.length > 0) return errors.slice(-6).join('\n')
  return lines.filter(line => line.trim() !== '').pop() ?? ''
}

// eslint-disable-next-line no-control-regex -- ANSI colour codes, should pip ever be forced to colour
const ANSI = /\x1b\[[0-9;]*m/g

/** What went wrong in a failed `pip install`, each cause on its requirement line when traceable. */
export function findingsFromPipFailure(
  output: string,
  requirements: RequirementsContext,
  title: string,
  exitCode: number
): Finding[] {
  const lines = output.replace(ANSI, '').split(/\r?\n/)
  const locate = new Locator(requirements)
  const found = [
    ...invalidRequirements(lines, locate),
    ...notProjects(lines, locate),
    ...missingFiles(lines, locate),
    ...conflicts(lines, locate),
    ...hashes(lines, locate),
    ...editablesUnderHashes(lines, locate),
    ...notFound(lines, locate),
    ...otherPython(lines, locate),
    ...fetches(lines, locate),
    ...clones(lines, locate),
    ...builds(lines, locate),
    ...pylockFailures(lines.join('\n'), requirements.locks ?? [], requirements.workspace).map(f =>
      finding('invalid-requirement', f.message, f)
    )
  ]
  if (found.length > 0) return found
  const quoted = pipErrorLines(output)
  return [
    finding('pip', `${title} failed: pip exited with ${exitCode}.${quoted ? `\n${quoted}` : ''}`)
  ]
}

/** `pip check`'s complaints, as warnings on the line that asked for the package concerned. */
export function findingsFromPipCheck(output: string, requirements: RequirementsContext): Finding[] {
  const locate = new Locator(requirements)
  return output.split(/\r?\n/).flatMap(line => {
    const m =
      /^(\S+) \S+ requires (\S+), which is not installed\.$/.exec(line) ??
      /^(\S+) \S+ has requirement (\S+?)[\s=<>!~[;(].*, but you have .*\.$/.exec(line) ??
      /^(\S+) \S+ is not supported on this platform$/.exec(line)
    if (!m) return []
    const where = locate.byRequirement(m[1]) ?? (m[2] ? locate.byRequirement(m[2]) : undefined)
    return [
      finding(
        'broken-dependency',
        `${line.trim().replace(/\.$/, '')} (pip check). The venv was installed, but this dependency is broken: add or pin the package it needs.`,
        where
      )
    ]
  })
}
