// Random requirement files for comparing the action's parser with pip's: a seeded generator of
// projects (a root file, includes two levels deep, a constraints file, a local project), each
// drawn from lines pip accepts, lines it rejects, options, comments, continuations, variables,
// odd whitespace, line endings and encodings.

/** mulberry32: a small seeded PRNG, so that a failing seed reproduces the same cases. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Features generated only when asked for, each in a share of the lines big enough to matter. */
export type RareFeature = 'abbreviated-options' | 'utf-32' | 'python-whitespace'

export interface GeneratorOptions {
  rare?: RareFeature[]
}

/** A project: file path (relative, `/` separated) to its bytes. The root is requirements.txt. */
export type CaseFiles = Record<string, Buffer>

/** Variables both parsers see: ${VG_SET} expands, ${VG_UNSET} stays as written. */
export const CASE_ENV = { VG_SET: 'alpha', VG_VERSION: '1.0' }

const NAMES = ['alpha', 'Mixed_Case.Name', 'a-b.c_d', 'x1', 'zope.interface', '${VG_SET}']
const VERSIONS = [
  '',
  '',
  '==1.0',
  '>=1,<2',
  ' >= 1.0 , != 1.5',
  '~=1.4',
  '===weird',
  '==1.*',
  '<2',
  ' (>=1)',
  '==',
  '>=1.0<2.0',
  '==${VG_VERSION}',
  '==${VG_UNSET}',
  '=1.0',
  '>>1',
  '==1.0+local.1',
  '!=',
  '== 1.0 2.0'
]
const EXTRAS = ['', '', '[x]', '[x, y]', '[', '[x,]', '[ x ]']
const MARKERS = [
  '',
  '',
  '; python_version >= "3.8"',
  ';sys_platform=="linux"',
  ' ; os_name == "nt" and python_version < "3"',
  '; python_version >> "3"',
  '; foo == "1"',
  ';',
  '; extra == "x"',
  "; platform_machine in 'x86_64 aarch64'",
  // Each taken by some pips only.
  '; python_version >= "3" andextra == "x"',
  '; extras == "x"',
  '; python_version not  in "3.8 3.9"'
]
const URL_REQUIREMENTS = [
  'name @ https://example.com/name-1.0.tar.gz',
  'https://example.com/pkg-1.0-py3-none-any.whl',
  'git+https://github.com/o/r.git@v1#egg=r',
  'name@git+https://github.com/o/r',
  'name @ git+https://user:${VG_UNSET}@github.com/o/r.git',
  'name @',
  '@ https://example.com/x.whl',
  'pkg-1.0-py3-none-any.whl',
  './proj',
  'proj/',
  '.',
  'file:///tmp/does-not-exist/pkg-1.0.tar.gz',
  'name[x] @ https://example.com/name-1.0.zip ; python_version > "3"',
  'https://example.com/pkg-1.0-py3-none-any.whl ; os_name >> "nt"',
  'name @ https://example.com/a;b ; python_version > "3"'
]
const OPTIONS = [
  '-r other.txt',
  '--requirement other.txt',
  '--requirement=other.txt',
  '-rother.txt',
  '-r sub/inner.txt',
  '-c cons.txt',
  '--constraint=cons.txt',
  '-r missing.txt',
  '-e ./proj',
  '--editable=./proj',
  '-e git+https://github.com/o/r.git#egg=r',
  '-e',
  '-r',
  '-i https://example.com/simple',
  '--index-url=https://example.com/simple',
  '--extra-index-url https://example.com/simple',
  '--no-index',
  '-f ./wheels',
  '--find-links https://example.com/links',
  '--only-binary :all:',
  '--pre',
  '--prefer-binary',
  '--no-binary=:none:',
  '--require-hashes',
  '--trusted-host example.com',
  '--frobnicate',
  '-Z',
  '--only-final :all:',
  '--use-feature fast-deps',
  '--no-index --pre',
  '-r "other.txt"',
  "-r 'unclosed",
  '-i -r other.txt',
  '-r other.txt -c cons.txt'
]
const REQUIREMENT_OPTIONS = [
  ' --hash=sha256:0123456789abcdef',
  ' --hash sha256:abcd --hash=sha256:ef01',
  ' --config-settings key=value',
  ' --global-option=--quiet',
  ' --frobnicate',
  ' -r other.txt'
]
const COMMENTS = ['', '# comment', '   # indented comment', '#', '# café ünïcode', '\t# tab']
const ODD_SPACE = [' ', '\t', '  \t ', '\f', '\v']
/** Whitespace to Python's str.strip but not to shlex, which splits options on ASCII blanks only. */
const PYTHON_SPACE = ['\x1f', '\x1f\x1f', ' \x1f', '\u00a0', '\u3000']
const ABBREVIATED = [
  '--requirem other.txt',
  '--constr cons.txt',
  '--edit ./proj',
  '--req=sub/inner.txt',
  '--requirem=sub/inner.txt',
  '--re other.txt'
]

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]
}

function chance(random: () => number, p: number): boolean {
  return random() < p
}

function requirementLine(random: () => number): string {
  let line = `${pick(random, NAMES)}${pick(random, EXTRAS)}${pick(random, VERSIONS)}${pick(random, MARKERS)}`
  if (chance(random, 0.15)) line += pick(random, REQUIREMENT_OPTIONS)
  return line
}

function line(random: () => number, options: GeneratorOptions): string {
  const r = random()
  let text: string
  if (r < 0.4) text = requirementLine(random)
  else if (r < 0.55) text = pick(random, URL_REQUIREMENTS)
  else if (r < 0.8) text = pick(random, OPTIONS)
  else if (r < 0.9) text = pick(random, COMMENTS)
  else text = pick(random, ['foo bar', '!!!', 'alpha#not-a-comment', '-', '==1.0', 'a b c d'])
  if (options.rare?.includes('abbreviated-options') && chance(random, 0.3))
    text = pick(random, ABBREVIATED)
  if (chance(random, 0.1)) text = `${pick(random, ODD_SPACE)}${text}`
  if (chance(random, 0.1)) text = `${text}${pick(random, ODD_SPACE)}`
  if (options.rare?.includes('python-whitespace') && chance(random, 0.3))
    text = chance(random, 0.5)
      ? `${text}${pick(random, PYTHON_SPACE)}`
      : `${pick(random, PYTHON_SPACE)}${text}`
  if (chance(random, 0.1)) text = `${text} ${pick(random, COMMENTS.slice(1))}`
  return text
}

/** Lines joined with random line endings, some continued with `\`. */
function fileText(random: () => number, count: number, options: GeneratorOptions): string {
  const lines: string[] = []
  for (let i = 0; i < count; i++) {
    let text = line(random, options)
    if (chance(random, 0.08)) text = `${text} \\`
    if (chance(random, 0.03)) text = `${text}\\`
    lines.push(text)
  }
  const ending = () => pick(random, ['\n', '\n', '\n', '\r\n', '\r', '\x0c', '\u2028'])
  const eol = chance(random, 0.2)
    ? ending
    : (() => {
        const e = ending()
        return () => e
      })()
  return lines.map((l, i) => (i < lines.length - 1 || chance(random, 0.8) ? l + eol() : l)).join('')
}

function encode(random: () => number, text: string, options: GeneratorOptions): Buffer {
  const r = random()
  const utf16be = (s: string) => {
    const le = Buffer.from(s, 'utf16le')
    for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]]
    return le
  }
  if (options.rare?.includes('utf-32') && r < 0.3) {
    const out = Buffer.alloc(4 + [...text].length * 4)
    const bigEndian = chance(random, 0.5)
    const write = (value: number, at: number) =>
      bigEndian ? out.writeUInt32BE(value, at) : out.writeUInt32LE(value, at)
    write(0xfeff, 0)
    ;[...text].forEach((c, i) => write(c.codePointAt(0)!, 4 + i * 4))
    return out
  }
  if (r < 0.7) return Buffer.from(text, 'utf8')
  if (r < 0.78) return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
  if (r < 0.84) return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
  if (r < 0.88) return Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)])
  if (r < 0.95) return Buffer.from(`# -*- coding: latin-1 -*-\n${text}`, 'latin1')
  // Not UTF-8, and nothing says what it is.
  return Buffer.from(`# caf\u00e9\n${text}`, 'latin1')
}

/** One random project. */
export function generateCase(random: () => number, options: GeneratorOptions = {}): CaseFiles {
  const files: CaseFiles = {
    'proj/pyproject.toml': Buffer.from('[project]\nname = "proj"\nversion = "1.0"\n')
  }
  const add = (name: string, lines: number) => {
    files[name] = encode(random, fileText(random, lines, options), options)
  }
  add('requirements.txt', 1 + Math.floor(random() * 6))
  if (chance(random, 0.8)) add('other.txt', Math.floor(random() * 4))
  if (chance(random, 0.7)) add('cons.txt', Math.floor(random() * 3))
  if (chance(random, 0.7)) {
    // Two levels down, and back up: the relative path is the included file's.
    const include = pick(random, [
      '-r ../other.txt',
      '-c ../cons.txt',
      '-r ../requirements.txt',
      ''
    ])
    const rest = fileText(random, Math.floor(random() * 3), options)
    files['sub/inner.txt'] = encode(random, `${include}\n${rest}`, options)
  }
  return files
}
