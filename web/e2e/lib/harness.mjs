// Shared by the end-to-end browser tests (web/e2e/tests/*.test.mjs): the
// environment, one browser per run, a fresh context per test that fails the
// test on any console error or uncaught page error, page loading with timing,
// and small API helpers. Every wait here is bounded; nothing asserts on time.
//
// The runner (web/e2e/run.mjs) launches one chromium server and passes its
// endpoint in TANJI_E2E_WS; a test file run on its own (node --test FILE)
// launches its own browser instead.
import { after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { chromium } from 'playwright-core'

// ---- bounds ------------------------------------------------------------------------------
/** Default bound for one Playwright action or wait. */
export const ACTION_TIMEOUT = 20_000
/** Bound for a navigation (first load of a page). */
export const NAV_TIMEOUT = 30_000
/** Bound for a page's data to arrive (no `loading` left). */
export const SETTLE_TIMEOUT = 45_000
/** Bound for one API request made by a test. */
export const FETCH_TIMEOUT = 15_000

// ---- environment -------------------------------------------------------------------------
function need(name) {
  const v = process.env[name]
  if (!v) throw new Error(`${name} is not set (see web/e2e/README.md)`)
  return v
}
function trimSlash(u) {
  return u.replace(/\/+$/, '')
}

let envCache = null
/** The run's settings, read from the environment (TANJI_E2E_*), with the demo ids. */
export function env() {
  if (envCache) return envCache
  const demoPath = need('TANJI_E2E_DEMO')
  const demo = JSON.parse(fs.readFileSync(demoPath, 'utf8'))
  const out = need('TANJI_E2E_OUT')
  fs.mkdirSync(out, { recursive: true })
  envCache = {
    node: trimSlash(need('TANJI_E2E_NODE')),
    observer: process.env.TANJI_E2E_OBSERVER ? trimSlash(process.env.TANJI_E2E_OBSERVER) : null,
    demoPath,
    demo,
    keys: need('TANJI_E2E_KEYS'),
    tanji: need('TANJI_E2E_TANJI'),
    out,
    chromium: process.env.TANJI_CHROMIUM || '/usr/bin/chromium',
    ws: process.env.TANJI_E2E_WS || null,
  }
  return envCache
}

/** The demo ids every test uses (from demo.json, see `tanji-node devnet --demo`). */
export function demoIds() {
  const d = env().demo
  const laptop = d?.laptop?.footprint
  const certificate = d?.laptop?.certificate
  assert.match(String(laptop), /^[0-9a-f]{64}$/, 'demo.json: laptop.footprint')
  assert.ok(certificate, 'demo.json: laptop.certificate')
  return {
    laptop,
    certificate,
    rule: d.rule,
    factors: d.factors ?? [],
    footprints: d.footprints ?? {},
    gtin: '06901234567892',
  }
}

// ---- API helpers -------------------------------------------------------------------------
/** GET base+path with a timeout; returns { status, headers, text, json }. */
export async function httpGet(url, { accept = 'application/json' } = {}) {
  const res = await fetch(url, { headers: { accept }, signal: AbortSignal.timeout(FETCH_TIMEOUT) })
  const text = await res.text()
  let json
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, text, json }
}

/** GET a JSON route of the node under test; fails the test unless it answers 200. */
export async function apiJson(p) {
  const url = `${env().node}${p}`
  const r = await httpGet(url)
  assert.equal(r.status, 200, `GET ${url}: ${r.status} ${r.text.slice(0, 300)}`)
  assert.ok(r.json !== undefined, `GET ${url}: not JSON`)
  return r.json
}

/** The organisation key file (in the devnet's keys folder) whose org_id is `orgId`. */
export function keyFileOf(orgId) {
  const dir = env().keys
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const p = path.join(dir, f)
    try {
      if (JSON.parse(fs.readFileSync(p, 'utf8')).org_id === orgId) return p
    } catch {
      /* not a key file */
    }
  }
  throw new Error(`no key file with org_id ${orgId} in ${dir}`)
}

// ---- browser -----------------------------------------------------------------------------
let browserPromise = null
/** The run's browser: the runner's chromium server, or one launched for this file. */
export function browser() {
  if (!browserPromise) {
    const e = env()
    browserPromise = e.ws
      ? chromium.connect(e.ws, { timeout: NAV_TIMEOUT })
      : chromium.launch({ executablePath: e.chromium, headless: true, args: ['--no-sandbox'], timeout: NAV_TIMEOUT })
  }
  return browserPromise
}

after(async () => {
  if (browserPromise) {
    const b = await browserPromise.catch(() => null)
    await b?.close().catch(() => {})
  }
})

/**
 * A console message or page error counts as expected only if an entry of
 * `allow` matches it: `{ kind: 'console' | 'pageerror', text: RegExp, url?: RegExp, why: string }`.
 * Keep entries narrow and say why in `why`.
 */
function allowed(allow, e) {
  return allow.some(
    (a) => a.kind === e.kind && a.text.test(e.text) && (a.url === undefined || a.url.test(e.url ?? '')),
  )
}

function describeProblems(list) {
  return list.map((e) => `  [${e.kind}] ${e.text}${e.url ? ` (${e.url})` : ''} on ${e.page}`).join('\n')
}

function safeName(s) {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100)
}

/**
 * Runs `fn(page, ctx)` in a fresh browser context. Fails the test if any page
 * logged a console error or threw (unless `allow` names it). On failure, a
 * screenshot goes to OUT/failures/<name>.png and the console errors are added
 * to the message, since they often say why.
 */
export async function withPage(name, fn, { allow = [], lang = 'zh', viewport = { width: 1280, height: 900 }, mobile = false } = {}) {
  const b = await browser()
  const ctx = await b.newContext({
    viewport,
    isMobile: mobile,
    hasTouch: mobile,
    deviceScaleFactor: mobile ? 2 : 1,
    locale: lang === 'en' ? 'en-US' : 'zh-CN',
    acceptDownloads: false,
  })
  ctx.setDefaultTimeout(ACTION_TIMEOUT)
  ctx.setDefaultNavigationTimeout(NAV_TIMEOUT)
  const problems = []
  const seen = new WeakSet()
  const watch = (page) => {
    if (seen.has(page)) return
    seen.add(page)
    page.on('console', (m) => {
      if (m.type() !== 'error') return
      problems.push({ kind: 'console', text: m.text(), url: m.location()?.url ?? '', page: page.url() })
    })
    page.on('pageerror', (err) => {
      problems.push({ kind: 'pageerror', text: `${err.name}: ${err.message}`, url: '', page: page.url() })
    })
  }
  ctx.on('page', watch)
  const page = await ctx.newPage()
  watch(page)
  try {
    await fn(page, ctx)
  } catch (err) {
    try {
      const dir = path.join(env().out, 'failures')
      fs.mkdirSync(dir, { recursive: true })
      await page.screenshot({ path: path.join(dir, `${safeName(name)}.png`), fullPage: true, timeout: 10_000 })
    } catch {
      /* the page may be gone */
    }
    if (problems.length && err instanceof Error) {
      err.message += `\nconsole errors / page errors during the test:\n${describeProblems(problems)}`
    }
    throw err
  } finally {
    await ctx.close().catch(() => {})
  }
  const unexpected = problems.filter((e) => !allowed(allow, e))
  assert.equal(unexpected.length, 0, `console errors / page errors:\n${describeProblems(unexpected)}`)
}

/** A locator for `[data-testid="id"]` (within `scope`, a page or locator). */
export function tid(scope, id) {
  return scope.locator(`[data-testid="${id}"]`)
}

/** URL of a platform page on the node under test, with `?lang=`. */
export function pageUrl(p, lang) {
  const u = new URL(p, `${env().node}/`)
  if (lang) u.searchParams.set('lang', lang)
  return u.href
}

/**
 * Opens a platform page and waits (bounded) until its root `page-<name>` is
 * visible, then until no `loading` indicator is visible. Returns the timings
 * from the page's own clock (performance.now(), whose origin is navigation
 * start): `rootVisibleMs`, `settledMs`. Asserts that the document is the
 * platform's HTML (history-mode URL served with 200).
 */
export async function openPage(page, p, name, { lang, settle = true } = {}) {
  const url = pageUrl(p, lang)
  const res = await page.goto(url, { waitUntil: 'commit', timeout: NAV_TIMEOUT })
  assert.ok(res, `no response for ${url}`)
  assert.equal(res.status(), 200, `GET ${url}: HTTP ${res.status()}`)
  assert.match(res.headers()['content-type'] ?? '', /text\/html/, `GET ${url}: not HTML`)
  const rootSel = `[data-testid="page-${name}"]`
  let rootVisibleMs
  try {
    const h = await page.waitForFunction(
      (sel) => {
        const el = document.querySelector(sel)
        return el && el.checkVisibility() ? performance.now() : 0
      },
      rootSel,
      { polling: 'raf', timeout: NAV_TIMEOUT },
    )
    rootVisibleMs = await h.jsonValue()
  } catch (err) {
    const other = await page
      .evaluate(() => [...document.querySelectorAll('[data-testid^="page-"]')].map((e) => e.getAttribute('data-testid')))
      .catch(() => [])
    throw new Error(`${rootSel} did not become visible at ${url} within ${NAV_TIMEOUT} ms (page roots present: ${JSON.stringify(other)}): ${err.message}`)
  }
  let settledMs = null
  if (settle) settledMs = await waitSettled(page)
  return { url, rootVisibleMs: round1(rootVisibleMs), settledMs: settledMs === null ? null : round1(settledMs) }
}

/** Waits (bounded) until no `loading` indicator is visible; returns performance.now() then. */
export async function waitSettled(page, timeout = SETTLE_TIMEOUT) {
  try {
    const h = await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid="loading"]')].some((e) => e.checkVisibility()) ? 0 : performance.now(),
      undefined,
      { polling: 'raf', timeout },
    )
    return await h.jsonValue()
  } catch (err) {
    throw new Error(`a loading indicator was still visible after ${timeout} ms on ${page.url()}: ${err.message}`)
  }
}

/** Fails if an `error` state is visible on the page, quoting it. */
export async function assertNoErrorState(page) {
  const texts = await page
    .locator('[data-testid="error"]')
    .evaluateAll((els) => els.filter((e) => e.checkVisibility()).map((e) => e.textContent?.trim() ?? ''))
  assert.deepEqual(texts, [], `error state shown on ${page.url()}: ${JSON.stringify(texts)}`)
}

function round1(x) {
  return Math.round(x * 10) / 10
}

// ---- measurements (collected into report.json by the runner) -----------------------------
/** Appends one measurement to OUT/metrics/<test file>.jsonl. */
export function recordMetric(kind, data) {
  const dir = path.join(env().out, 'metrics')
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${process.pid}.jsonl`)
  fs.appendFileSync(file, JSON.stringify({ kind, ...data }) + '\n')
}

/** Polls `probe()` (bounded) until it returns a truthy value; returns it, or throws with `what` and the last value. */
export async function eventually(what, probe, { timeout = ACTION_TIMEOUT, interval = 250 } = {}) {
  const end = Date.now() + timeout
  let last
  for (;;) {
    last = await probe()
    if (last) return last
    if (Date.now() > end) throw new Error(`${what}: not true within ${timeout} ms (last: ${JSON.stringify(last)})`)
    await new Promise((r) => setTimeout(r, interval))
  }
}
