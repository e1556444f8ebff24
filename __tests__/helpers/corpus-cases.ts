import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { mirrorWheel } from './mirror.js'
import { ROOT } from './paths.js'

/**
 * Failing (and a few passing) installs built from the corpus of real files in
 * __tests__/fixtures/corpus (SOURCES.md says where each came from), for Python 3.12 against the
 * local mirror of PyPI: what the mirror lacks (no librt or aiodns wheel for 3.12, no mypy), a pin
 * it does not have, a file left out, a constraint that conflicts, a wrong hash, a lock whose URLs
 * cannot be fetched offline. Each names the line pip blames, as pip 26.2.1 names it.
 */

export const CORPUS = path.join(ROOT, '__tests__', 'fixtures', 'corpus')

export interface CorpusCase {
  name: string
  /** Workspace path -> its content (`corpus()` for a file of the corpus, as is or edited). */
  files: Record<string, string>
  /** The action's inputs besides python-version; pip's own arguments for the same install. */
  inputs: Record<string, string>
  pipArgs: string[]
  /** The workspace file:line pip blames, and its words that name it; none when pip succeeds. */
  blame?: { place: string; pip: RegExp }
}

function corpus(file: string): string {
  return fs.readFileSync(path.join(CORPUS, file), 'utf8')
}

/** Line `n` (1-based) of a text replaced. */
function editLine(text: string, n: number, line: string): string {
  const lines = text.split('\n')
  lines[n - 1] = line
  return lines.join('\n')
}

const MYPY = corpus('python/mypy/mypy-requirements.txt')
const AIO = (file: string) => corpus(`aio-libs/aiohttp/requirements/${file}`)
const AIO_TYPING = {
  'req/typing-extensions.in': AIO('typing-extensions.in'),
  'req/broken-projects.in': AIO('broken-projects.in')
}
const AIO_ALL = {
  ...AIO_TYPING,
  'req/base.in': AIO('base.in'),
  'req/runtime-deps.in': AIO('runtime-deps.in'),
  'req/test.in': AIO('test.in')
}
const FLASK = { 'pyproject.toml': corpus('pallets/flask/pyproject.toml') }
const ZERO_HASH = `sha256:${'0'.repeat(64)}`

/** The sha256 of the mirror's wheel (zeros without a mirror: the cases are then skipped). */
function mirrorHash(project: string, version: string): string {
  const wheel = mirrorWheel(project, version)
  const digest = wheel
    ? createHash('sha256').update(fs.readFileSync(wheel)).digest('hex')
    : '0'.repeat(64)
  return `sha256:${digest}`
}

/** The line of pyproject.toml (or any file) that holds this text. */
function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex(l => l.includes(needle)) + 1
}

const requirements = (file: string) => ({ inputs: { requirements: file }, pipArgs: ['-r', file] })
const group = (name: string) => ({
  inputs: { 'dependency-groups': name },
  pipArgs: ['--group', name]
})

export const CORPUS_CASES: CorpusCase[] = [
  {
    name: 'mypy: a requirement the index has no wheel of for this Python',
    files: { 'mypy-requirements.txt': MYPY },
    ...requirements('mypy-requirements.txt'),
    blame: { place: 'mypy-requirements.txt:8', pip: /satisfies the requirement librt>=0\.9\.0/ }
  },
  {
    name: 'mypy: the same, through -r',
    files: {
      'mypy-requirements.txt': MYPY,
      'build-requirements.txt': corpus('python/mypy/build-requirements.txt')
    },
    ...requirements('build-requirements.txt'),
    blame: { place: 'mypy-requirements.txt:8', pip: /satisfies the requirement librt>=0\.9\.0/ }
  },
  {
    name: 'mypy: a range no version of typing_extensions meets, on a line with a marker',
    files: {
      'mypy-requirements.txt': editLine(
        MYPY,
        3,
        "typing_extensions>=4.6.0,<4.7; python_version<'3.15'"
      )
    },
    ...requirements('mypy-requirements.txt'),
    blame: { place: 'mypy-requirements.txt:3', pip: /requirement typing_extensions<4\.7,>=4\.6\.0/ }
  },
  {
    name: 'mypy: a pin the mirror lacks',
    files: { 'mypy-requirements.txt': editLine(MYPY, 6, 'pathspec==0.12.1') },
    ...requirements('mypy-requirements.txt'),
    blame: { place: 'mypy-requirements.txt:6', pip: /requirement pathspec==0\.12\.1/ }
  },
  {
    name: 'mypy: a missing -r file',
    files: { 'build-requirements.txt': corpus('python/mypy/build-requirements.txt') },
    ...requirements('build-requirements.txt'),
    blame: {
      place: 'build-requirements.txt:1',
      pip: /No such file or directory: .*mypy-requirements\.txt/
    }
  },
  {
    name: 'aiohttp: a requirement the mirror lacks',
    files: AIO_ALL,
    ...requirements('req/runtime-deps.in'),
    blame: { place: 'req/runtime-deps.in:3', pip: /requirement aiodns>=3\.3\.0/ }
  },
  {
    name: 'aiohttp: the same, two -r deep',
    files: AIO_ALL,
    ...requirements('req/test.in'),
    blame: { place: 'req/runtime-deps.in:3', pip: /requirement aiodns>=3\.3\.0/ }
  },
  {
    name: 'aiohttp: a -c file that installs',
    files: AIO_TYPING,
    ...requirements('req/typing-extensions.in')
  },
  {
    name: 'aiohttp: a constraint that rules out every version',
    files: { ...AIO_TYPING, 'c.txt': 'typing_extensions<4\n' },
    inputs: { requirements: 'req/typing-extensions.in', constraints: 'c.txt' },
    pipArgs: ['-r', 'req/typing-extensions.in', '-c', 'c.txt'],
    blame: { place: 'c.txt:1', pip: /The user requested \(constraint\) typing-extensions<4/ }
  },
  {
    name: 'aiohttp: a wrong hash',
    files: {
      ...AIO_TYPING,
      'req/typing-extensions.in': editLine(
        AIO('typing-extensions.in'),
        3,
        `typing_extensions==4.16.0 --hash=${ZERO_HASH}`
      )
    },
    ...requirements('req/typing-extensions.in'),
    blame: { place: 'req/typing-extensions.in:3', pip: /DO NOT MATCH THE HASHES/ }
  },
  {
    name: 'mypy: one hashed line puts pip in hash mode; the first unpinned line',
    files: {
      'mypy-requirements.txt': editLine(
        MYPY,
        6,
        `pathspec==1.1.1 --hash=${mirrorHash('pathspec', '1.1.1')}`
      )
    },
    ...requirements('mypy-requirements.txt'),
    blame: {
      place: 'mypy-requirements.txt:3',
      pip: /pinned with ==\. These do not:\n\s+typing_extensions>=4\.6\.0/
    }
  },
  {
    name: 'aiohttp: a hashed pin whose dependency is unpinned',
    files: {
      ...AIO_TYPING,
      'req/typing-extensions.in': editLine(
        AIO('typing-extensions.in'),
        3,
        `cattrs==26.2.1 --hash=${mirrorHash('cattrs', '26.2.1')}`
      )
    },
    ...requirements('req/typing-extensions.in'),
    blame: {
      place: 'req/typing-extensions.in:3',
      pip: /attrs>=[\d.]+ from .*\(from cattrs==26\.2\.1->-r /
    }
  },
  {
    name: 'aiohttp: a missing -r file two deep',
    files: { ...AIO_TYPING, 'req/base.in': AIO('base.in') },
    ...requirements('req/base.in'),
    blame: { place: 'req/base.in:2', pip: /No such file or directory: .*runtime-deps\.in/ }
  },
  {
    name: 'aiohttp: a missing -c file',
    files: { 'req/typing-extensions.in': AIO('typing-extensions.in') },
    ...requirements('req/typing-extensions.in'),
    blame: {
      place: 'req/typing-extensions.in:1',
      pip: /No such file or directory: .*broken-projects\.in/
    }
  },
  {
    name: "pip's lock: wheel URLs that cannot be fetched offline",
    files: { 'pylock.toml': corpus('pypa/pip/build-project/pylock.toml') },
    ...requirements('pylock.toml'),
    blame: {
      place: 'pylock.toml:10',
      pip: /while fetching https:\/\/files\.pythonhosted\.org\/.*\/build-1\.6\.0-py3-none-any\.whl/
    }
  },
  {
    name: "PEP 751's example lock: a requires-python this Python does not meet",
    files: {
      'pylock.example.toml': corpus('pypa/packaging/tests/pylock/pylock.spec-example.toml')
    },
    ...requirements('pylock.example.toml'),
    blame: {
      place: 'pylock.example.toml:10',
      pip: /does not satisfy the Python version requirement '==3\.12'/
    }
  },
  {
    name: 'flask: a group that installs (a marker false here)',
    files: FLASK,
    ...group('tests')
  },
  {
    name: 'flask: a group item the mirror has no wheel of',
    files: FLASK,
    ...group('typing'),
    blame: {
      place: `pyproject.toml:${lineOf(FLASK['pyproject.toml'], '"mypy",')}`,
      pip: /requirement mypy \(from versions: none\)/
    }
  },
  {
    name: 'flask: a group item with a marker true here',
    files: FLASK,
    ...group('gha-update'),
    blame: {
      place: `pyproject.toml:${lineOf(FLASK['pyproject.toml'], '"gha-update ;')}`,
      pip: /requirement gha-update; python_full_version >= "3\.12"/
    }
  },
  {
    name: 'flask: a group item the mirror lacks',
    files: FLASK,
    ...group('docs'),
    blame: {
      place: `pyproject.toml:${lineOf(FLASK['pyproject.toml'], '"pallets-sphinx-themes"')}`,
      pip: /requirement pallets-sphinx-themes/
    }
  }
]
