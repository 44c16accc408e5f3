#!/usr/bin/env node
// Runs the end-to-end browser tests (web/e2e/tests/*.test.mjs) against a
// running network with the demo data, with one headless chromium for the
// whole run, and writes OUT/report.json: test results, the bundle's size
// (web/dist, and the JS/CSS the first page loads, raw and gzip) and each
// page's load time. Measurements are reported, never asserted.
//
//   TANJI_E2E_NODE      platform/API base URL of validator-0 (required)
//   TANJI_E2E_OBSERVER  an observer's base URL (optional; test 8 checks it too)
//   TANJI_E2E_DEMO      the devnet's demo.json (required)
//   TANJI_E2E_KEYS      the devnet's keys folder (required)
//   TANJI_E2E_TANJI     the `tanji` CLI binary (required)
//   TANJI_E2E_OUT       artifact folder (default web/e2e/artifacts)
//   TANJI_E2E_DIST      the built bundle to measure (default web/dist)
//   TANJI_CHROMIUM      chromium binary (default: chromium on PATH)
//
//   node e2e/run.mjs [PATTERN...]   only test files whose name contains a PATTERN
//
// Exit status 0 when every test passed. The last line printed is
// `e2e: N passed, M failed`.
import { run } from 'node:test'
import { spec } from 'node:test/reporters'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = path.dirname(fileURLToPath(import.meta.url))
const webDir = path.resolve(here, '..')

function fail(msg) {
  console.error(`e2e: ${msg}`)
  console.log('e2e: 0 passed, 1 failed')
  process.exit(2)
}

// ---- settings ------------------------------------------------------------------------------
const required = ['TANJI_E2E_NODE', 'TANJI_E2E_DEMO', 'TANJI_E2E_KEYS', 'TANJI_E2E_TANJI']
const missing = required.filter((k) => !process.env[k])
if (missing.length) fail(`missing ${missing.join(', ')} (see the top of web/e2e/run.mjs)`)
process.env.TANJI_E2E_OUT = path.resolve(process.env.TANJI_E2E_OUT || path.join(here, 'artifacts'))
const OUT = process.env.TANJI_E2E_OUT
const NODE = process.env.TANJI_E2E_NODE.replace(/\/+$/, '')
const DIST = path.resolve(process.env.TANJI_E2E_DIST || path.join(webDir, 'dist'))
if (!fs.existsSync(process.env.TANJI_E2E_DEMO)) fail(`TANJI_E2E_DEMO: no file ${process.env.TANJI_E2E_DEMO}`)
if (!fs.existsSync(process.env.TANJI_E2E_KEYS)) fail(`TANJI_E2E_KEYS: no folder ${process.env.TANJI_E2E_KEYS}`)
try {
  fs.accessSync(process.env.TANJI_E2E_TANJI, fs.constants.X_OK)
} catch {
  fail(`TANJI_E2E_TANJI: ${process.env.TANJI_E2E_TANJI} is not an executable`)
}
let CHROMIUM = process.env.TANJI_CHROMIUM
if (!CHROMIUM) {
  try {
    CHROMIUM = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim()
  } catch {
    fail('no chromium: set TANJI_CHROMIUM or install Debian\'s chromium (apt-get install chromium)')
  }
}
process.env.TANJI_CHROMIUM = CHROMIUM

// A fresh artifact folder: the screenshots, metrics and report of this run only.
fs.mkdirSync(OUT, { recursive: true })
for (const f of fs.readdirSync(OUT)) {
  if (f.endsWith('.png') || f === 'report.json' || f === 'metrics' || f === 'failures') {
    fs.rmSync(path.join(OUT, f), { recursive: true, force: true })
  }
}

const patterns = process.argv.slice(2)
const testsDir = path.join(here, 'tests')
const files = fs
  .readdirSync(testsDir)
  .filter((f) => f.endsWith('.test.mjs'))
  .filter((f) => patterns.length === 0 || patterns.some((p) => f.includes(p)))
  .sort()
  .map((f) => path.join(testsDir, f))
if (files.length === 0) fail(`no test file matches ${patterns.join(' ')}`)

// ---- bundle size ---------------------------------------------------------------------------
function gz(buf) {
  return zlib.gzipSync(buf).length
}

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) walk(p, out)
    else if (e.isFile() && !e.name.startsWith('.')) out.push(p)
  }
  return out
}

function distSize() {
  if (!fs.existsSync(DIST)) return { dir: DIST, error: 'no such folder (build the platform first)' }
  let raw = 0
  let gzip = 0
  const byExt = {}
  const files = walk(DIST)
  for (const f of files) {
    const b = fs.readFileSync(f)
    const ext = path.extname(f).slice(1) || 'other'
    const g = gz(b)
    raw += b.length
    gzip += g
    byExt[ext] ??= { files: 0, raw_bytes: 0, gzip_bytes: 0 }
    byExt[ext].files++
    byExt[ext].raw_bytes += b.length
    byExt[ext].gzip_bytes += g
  }
  return { dir: DIST, files: files.length, raw_bytes: raw, gzip_bytes: gzip, by_type: byExt }
}

/** The JS and CSS the first page (/) loads, as served by the node under test. */
async function firstPageSize(browser) {
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  const origin = new URL(NODE).origin
  const seen = []
  page.on('response', (r) => {
    const u = new URL(r.url())
    const type = r.request().resourceType()
    if (u.origin !== origin) return
    if (type === 'script' || type === 'stylesheet' || /\.(m?js|css)$/.test(u.pathname)) seen.push(r)
  })
  try {
    await page.goto(`${NODE}/`, { waitUntil: 'load', timeout: 30_000 })
    await page.locator('[data-testid="page-network"]').waitFor({ state: 'visible', timeout: 30_000 })
    await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => {})
    const files = []
    for (const r of seen) {
      const body = await r.body().catch(() => null)
      if (!body) continue
      const u = new URL(r.url())
      const kind = r.request().resourceType() === 'stylesheet' || u.pathname.endsWith('.css') ? 'css' : 'js'
      files.push({ path: u.pathname + u.search, kind, raw_bytes: body.length, gzip_bytes: gz(body), served_encoding: r.headers()['content-encoding'] ?? null })
    }
    const sum = (k, kind) => files.filter((f) => !kind || f.kind === kind).reduce((a, f) => a + f[k], 0)
    return {
      url: `${NODE}/`,
      files: files.length,
      raw_bytes: sum('raw_bytes'),
      gzip_bytes: sum('gzip_bytes'),
      js: { raw_bytes: sum('raw_bytes', 'js'), gzip_bytes: sum('gzip_bytes', 'js') },
      css: { raw_bytes: sum('raw_bytes', 'css'), gzip_bytes: sum('gzip_bytes', 'css') },
      list: files,
    }
  } catch (e) {
    return { url: `${NODE}/`, error: String(e?.message ?? e).split('\n')[0] }
  } finally {
    await ctx.close().catch(() => {})
  }
}

// ---- run -----------------------------------------------------------------------------------
const started = new Date()
let server
try {
  server = await chromium.launchServer({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'], timeout: 60_000 })
} catch (e) {
  fail(`could not start chromium (${CHROMIUM}): ${e.message}`)
}
process.env.TANJI_E2E_WS = server.wsEndpoint()
let browserVersion = null
let firstPage = null
{
  const b = await chromium.connect(server.wsEndpoint(), { timeout: 30_000 })
  browserVersion = b.version()
  firstPage = await firstPageSize(b)
  await b.close()
}

const results = []
const depthChildren = new Map() // file → (nesting → number of finished children not yet claimed)
function onResult(ok, d) {
  const file = d.file ?? ''
  const m = depthChildren.get(file) ?? new Map()
  depthChildren.set(file, m)
  const hadChildren = (m.get(d.nesting + 1) ?? 0) > 0
  m.set(d.nesting + 1, 0)
  m.set(d.nesting, (m.get(d.nesting) ?? 0) + 1)
  if (d.details?.type === 'suite' || hadChildren) return // groups are not counted, their tests are
  const err = d.details?.error
  const cause = err?.cause ?? err
  results.push({
    name: d.name,
    file: path.relative(webDir, file),
    ok,
    skipped: !!d.skip,
    duration_ms: Math.round(d.details?.duration_ms ?? 0),
    ...(ok ? {} : { error: String(cause?.message ?? cause ?? 'failed').slice(0, 4000) }),
  })
}

const stream = run({ files, concurrency: 1, timeout: 15 * 60_000 })
stream.on('test:pass', (d) => onResult(true, d))
stream.on('test:fail', (d) => onResult(false, d))
await new Promise((resolve, reject) => {
  const out = stream.compose(new spec())
  out.pipe(process.stdout, { end: false })
  out.on('end', resolve)
  out.on('error', reject)
})
await server.close().catch(() => {})

// ---- report --------------------------------------------------------------------------------
const metrics = []
const mdir = path.join(OUT, 'metrics')
if (fs.existsSync(mdir)) {
  for (const f of fs.readdirSync(mdir)) {
    for (const line of fs.readFileSync(path.join(mdir, f), 'utf8').split('\n')) {
      if (line.trim()) metrics.push(JSON.parse(line))
    }
  }
}
const pageLoads = metrics
  .filter((m) => m.kind === 'page_load')
  .map(({ kind, ...m }) => m)
  .sort((a, b) => a.page.localeCompare(b.page) || a.lang.localeCompare(b.lang))
const passed = results.filter((r) => r.ok && !r.skipped).length
const failed = results.filter((r) => !r.ok).length
const report = {
  generated_at: new Date().toISOString(),
  duration_s: Math.round((Date.now() - started.getTime()) / 1000),
  node: NODE,
  observer: process.env.TANJI_E2E_OBSERVER ?? null,
  browser: { executable: CHROMIUM, version: browserVersion },
  bundle: { dist: distSize(), first_page: firstPage },
  page_load: pageLoads,
  screenshots: fs.readdirSync(OUT).filter((f) => f.endsWith('.png')).sort(),
  tests: { passed, failed, skipped: results.filter((r) => r.skipped).length, results },
}
fs.writeFileSync(path.join(OUT, 'report.json'), JSON.stringify(report, null, 2) + '\n')

// ---- summary -------------------------------------------------------------------------------
const kb = (n) => (typeof n === 'number' ? `${(n / 1024).toFixed(1)} KiB` : '?')
const ms = (n) => (typeof n === 'number' ? `${Math.round(n)} ms` : '-')
console.log('')
console.log('Measurements (reported, not asserted):')
const dist = report.bundle.dist
if (dist.error) console.log(`  bundle ${dist.dir}: ${dist.error}`)
else console.log(`  bundle ${path.relative(process.cwd(), dist.dir) || dist.dir}: ${dist.files} files, ${kb(dist.raw_bytes)} raw, ${kb(dist.gzip_bytes)} gzip`)
if (firstPage?.error) console.log(`  first page (/): ${firstPage.error}`)
else if (firstPage)
  console.log(
    `  first page (/): ${firstPage.files} JS/CSS files, ${kb(firstPage.raw_bytes)} raw, ${kb(firstPage.gzip_bytes)} gzip` +
      ` (JS ${kb(firstPage.js.raw_bytes)} / ${kb(firstPage.js.gzip_bytes)} gzip, CSS ${kb(firstPage.css.raw_bytes)} / ${kb(firstPage.css.gzip_bytes)} gzip)`,
  )
if (pageLoads.length) {
  console.log('  page load (navigation start → page root visible; → no loading indicator):')
  for (const p of pageLoads) console.log(`    ${p.page.padEnd(12)} ${p.lang}  ${ms(p.root_visible_ms).padStart(8)}  ${ms(p.settled_ms).padStart(8)}`)
}
console.log(`  report: ${path.join(OUT, 'report.json')}`)
if (failed) {
  console.log('')
  console.log('Failed:')
  for (const r of results.filter((x) => !x.ok)) console.log(`  ✖ ${r.name} (${r.file}): ${r.error.split('\n')[0]}`)
}
console.log(`e2e: ${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 || results.length === 0 ? 1 : 0
