// The README's pictures, from what the action really writes: runs the bundled action twice, on a
// project's main branch (a successful run) and on its pull request that adds a misspelled
// requirement (a failing one), then renders in headless Chromium the job summary Markdown each run
// wrote and the annotation the failing run printed (as a pull request's "Files changed" view shows
// it): docs/images/summary.png, summary-failed.png and annotation.png.
// usage: npm run screenshots
// Needs Chromium and an emoji font (Debian: apt-get install chromium fonts-noto-color-emoji), or
// CHROMIUM=<its path>.
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { marked } from 'marked'
import { parseAnnotations, root, runnerEnv } from './runner.mjs'
import { buildWheelhouse, isFreshWheelhouse } from './wheelhouse.mjs'

const MAIN = ['# the web app', 'alpha>=2', 'gamma']
const REQUIREMENTS = [
  ...MAIN,
  'requets==2.32.3   # added by the pull request: a typo of requests',
  ''
].join('\n')
const out = path.join(root, 'docs', 'images')
const chromium = findChromium()

/** @returns {string} */
function findChromium() {
  const found =
    process.env.CHROMIUM ??
    ['chromium', 'chromium-browser', 'google-chrome'].find(
      c => spawnSync(c, ['--version']).status === 0
    )
  if (found) return found
  console.error(
    'No Chromium: apt-get install chromium fonts-noto-color-emoji (or set CHROMIUM to its path).'
  )
  process.exit(2)
}

const wheelhouse = path.join(root, 'example', '.wheelhouse')
if (!isFreshWheelhouse(wheelhouse)) buildWheelhouse(wheelhouse)
const scratch = path.join(os.tmpdir(), 'venv-guard-screenshots')
fs.rmSync(scratch, { recursive: true, force: true })

/**
 * The main step on a fresh runner and workspace holding these requirements: its output and summary.
 * @param {string} name @param {string} requirements
 */
function runOn(name, requirements) {
  const workspace = path.join(scratch, name)
  fs.mkdirSync(workspace, { recursive: true })
  fs.writeFileSync(path.join(workspace, 'requirements.txt'), requirements)
  const { env, files } = runnerEnv({
    dir: path.join(scratch, `${name}-runner`),
    workspace,
    wheelhouse
  })
  const run = spawnSync(process.execPath, [path.join(root, 'dist', 'main', 'index.js')], {
    cwd: workspace,
    env,
    encoding: 'utf8'
  })
  return { run, summary: fs.readFileSync(files.summary, 'utf8') }
}

const passed = runOn('main', `${MAIN.join('\n')}\n`)
if (passed.run.status !== 0) {
  console.error(
    `Expected the main branch to pass; the action exited ${passed.run.status}:\n${passed.run.stdout}`
  )
  process.exit(1)
}
const failed = runOn('pull-request', REQUIREMENTS)
const annotation = parseAnnotations(failed.run.stdout).find(
  a => a.level === 'error' && a.properties.line
)
if (failed.run.status === 0 || !annotation) {
  console.error(
    `Expected a failure annotated on a line; the action exited ${failed.run.status}:\n${failed.run.stdout}`
  )
  process.exit(1)
}

const css = fs.readFileSync(
  path.join(root, 'node_modules', 'github-markdown-css', 'github-markdown-light.css'),
  'utf8'
)
/** @param {string} s */
const html = s =>
  s.replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c)
const page = (/** @type {string} */ body) => `<!doctype html><meta charset="utf-8">
<style>${css}
body { margin: 0; padding: 1px 0; background: #fff; width: 920px; }
.frame { margin: 16px; border: 1px solid #d1d9e0; border-radius: 6px; }
.frame > header { padding: 8px 16px; background: #f6f8fa; border-bottom: 1px solid #d1d9e0; font: 600 14px -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
.markdown-body { padding: 16px 24px; font-size: 14px; }
table.diff { border-collapse: collapse; width: 100%; font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
table.diff td { padding: 0 8px; line-height: 20px; white-space: pre; }
td.num { width: 1%; color: #59636e; text-align: right; }
tr.added td { background: #dafbe1; } tr.added td.num { background: #aceebb; }
.annotation { margin: 4px 12px 8px 60px; border: 1px solid #d1d9e0; border-left: 3px solid #d1242f; border-radius: 6px; font: 14px -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
.annotation .head { padding: 8px 12px; display: flex; gap: 8px; align-items: center; }
.annotation .icon { color: #d1242f; font-weight: 700; }
.annotation .where { font-weight: 600; } .annotation .who { color: #59636e; font-size: 12px; padding: 0 12px; }
.annotation .title { padding: 4px 12px 0; font-weight: 600; }
.annotation pre { margin: 0; padding: 4px 12px 10px; white-space: pre-wrap; font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
</style>${body}`

/** The annotation beneath its line, as a pull request's "Files changed" tab shows it. */
function annotationPage(/** @type {import('./runner.mjs').Annotation} */ a) {
  const file = a.properties.file ?? 'requirements.txt'
  const line = Number(a.properties.line)
  const rows = REQUIREMENTS.trimEnd()
    .split('\n')
    .map((text, i) => {
      const added = i + 1 === line
      const row = `<tr class="${added ? 'added' : ''}"><td class="num">${i + 1}</td><td>${added ? '+' : ' '} ${html(text)}</td></tr>`
      const box = `<tr><td colspan="2" style="white-space: normal"><div class="annotation">
<div class="head"><span class="icon">✕</span><span class="where">Check failure on line ${line} in ${html(file)}</span></div>
<div class="who">GitHub Actions / test</div>
<div class="title">${html(a.properties.title ?? '')}</div><pre>${html(a.message)}</pre></div></td></tr>`
      return added ? row + box : row
    })
  return page(
    `<div class="frame"><header>${html(file)}</header><table class="diff">${rows.join('\n')}</table></div>`
  )
}

/**
 * GitHub's alerts (`> [!CAUTION]`), which marked leaves as block quotes, as GitHub renders them.
 * @param {string} body
 */
function alerts(body) {
  return body.replace(
    /<blockquote>\s*<p>\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*([^]*?)<\/blockquote>/g,
    (_, kind, rest) =>
      `<div class="markdown-alert markdown-alert-${kind.toLowerCase()}"><p class="markdown-alert-title">${kind[0]}${kind.slice(1).toLowerCase()}</p><p>${rest}</div>`
  )
}

/**
 * A PNG of an HTML page as tall as its content: a first headless run measures the height (the page
 * writes it into its title), the second takes the picture at that size.
 * @param {string} name @param {string} document
 */
function screenshot(name, document) {
  const htmlFile = path.join(scratch, `${name}.html`)
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    '--force-device-scale-factor=2'
  ]
  const profile = () => `--user-data-dir=${fs.mkdtempSync(path.join(scratch, 'profile-'))}`
  fs.writeFileSync(
    htmlFile,
    `${document}<script>document.title = String(document.documentElement.scrollHeight)</script>`
  )
  const dom = execFileSync(chromium, [...flags, profile(), '--dump-dom', `file://${htmlFile}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore']
  })
  const height = Number(/<title>(\d+)<\/title>/.exec(dom)?.[1] ?? 800)
  const png = path.join(out, `${name}.png`)
  execFileSync(
    chromium,
    [
      ...flags,
      profile(),
      `--window-size=952,${height}`,
      `--screenshot=${png}`,
      `file://${htmlFile}`
    ],
    { stdio: 'ignore' }
  )
  console.log(`${path.relative(root, png)} (${height} px tall, at twice the size)`)
}

fs.mkdirSync(out, { recursive: true })
/** @param {string} markdown */
const summaryPage = async markdown =>
  page(
    `<div class="frame"><header>test summary</header><article class="markdown-body">${alerts(await marked.parse(markdown))}</article></div>`
  )
screenshot('annotation', annotationPage(annotation))
screenshot('summary', await summaryPage(passed.summary))
screenshot('summary-failed', await summaryPage(failed.summary))
fs.rmSync(scratch, { recursive: true, force: true })
