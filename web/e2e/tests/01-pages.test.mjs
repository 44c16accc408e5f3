// 1. Every page loads with the demo data, in Chinese and in English: the page
// root is visible, nothing is loading, no error state, the demo data is on
// the page, <html lang> follows ?lang=, the page's text differs between the
// two languages; a screenshot of each goes to OUT/<page>-<lang>.png, and the
// load time (navigation start to the root visible) to report.json.
import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { apiJson, assertNoErrorState, demoIds, env, openPage, recordMetric, tid, withPage } from '../lib/harness.mjs'

const enc = encodeURIComponent

// name → path, and a selector that matches only once the demo data is shown
let pages = []

before(async () => {
  const d = demoIds()
  const laptop = await apiJson(`/v1/footprints/${d.laptop}`)
  const factor = d.factors.find((f) => f.startsWith('cn_grid_north')) ?? d.factors[0]
  pages = [
    { name: 'network', path: '/', data: '[data-testid="checkpoint-size"]' },
    // a query with several hits, so the page does not open a single hit
    { name: 'search', path: '/search?q=laptop', data: '[data-testid="search-hit"]' },
    { name: 'orgs', path: '/orgs', data: '[data-testid="org-row"]' },
    { name: 'org', path: `/orgs/${laptop.author}`, data: '[data-testid="org-name"]' },
    { name: 'factors', path: '/factors', data: '[data-testid="factor-row"]' },
    { name: 'factor', path: `/factors/${enc(factor)}`, data: '[data-testid="factor-value"]' },
    { name: 'rules', path: '/rules', data: '[data-testid="rule-card"]' },
    { name: 'rule', path: `/rules/${enc(d.rule)}`, data: '[data-testid="grade-band"]' },
    { name: 'footprint', path: `/footprints/${d.laptop}`, data: '[data-testid="footprint-total"]' },
    { name: 'certificate', path: `/certificates/${enc(d.certificate)}`, data: '[data-testid="certificate-grade"]' },
    { name: 'labels', path: '/labels', data: '[data-testid="label-card"]' },
    { name: 'supervision', path: '/supervision', data: '[data-testid="stat-footprints"]' },
    { name: 'calculator', path: '/calculator', data: `[data-testid="calc-rule"] option[value="${d.rule}"]` },
  ]
})

const NAMES = ['network', 'search', 'orgs', 'org', 'factors', 'factor', 'rules', 'rule', 'footprint', 'certificate', 'labels', 'supervision', 'calculator']

describe('1. every page loads with demo data in zh and en', () => {
  for (const name of NAMES) {
    it(`page ${name}`, { timeout: 180_000 }, async () => {
      const p = pages.find((x) => x.name === name)
      assert.ok(p, `no page ${name}`)
      const text = {}
      for (const lang of ['zh', 'en']) {
        await withPage(`1-${name}-${lang}`, async (page) => {
          const t = await openPage(page, p.path, name, { lang })
          recordMetric('page_load', { page: name, lang, path: p.path, root_visible_ms: t.rootVisibleMs, settled_ms: t.settledMs })
          await assertNoErrorState(page)
          const root = tid(page, `page-${name}`)
          const data = root.locator(p.data)
          // A list can arrive just after the page settles (a second request
          // under load): wait for it, bounded, then assert it is there.
          await data.first().waitFor({ state: 'attached', timeout: 15_000 }).catch(() => {})
          assert.ok((await data.count()) > 0, `page-${name} (${lang}): nothing matches ${p.data}, i.e. the demo data is not shown`)
          const htmlLang = await page.evaluate(() => document.documentElement.lang)
          assert.equal(htmlLang, lang === 'zh' ? 'zh-CN' : 'en', `<html lang> for ?lang=${lang}`)
          text[lang] = await root.innerText()
          await page.screenshot({ path: path.join(env().out, `${name}-${lang}.png`), fullPage: true })
        }, { lang })
      }
      assert.notEqual(text.zh, text.en, `page-${name}: the same text in zh and en`)
    })
  }
})

describe('1b. the network page shows the validator set history', () => {
  it('one genesis set of the four validators, in force, with its quorum', { timeout: 120_000 }, async () => {
    const net = await apiJson('/v1/network')
    assert.ok(Array.isArray(net.validator_history) && net.validator_history.length > 0, 'no validator_history in /v1/network')
    await withPage('1b-validator-history', async (page) => {
      await openPage(page, '/', 'network', { lang: 'en' })
      const rows = tid(tid(page, 'validator-history'), 'validator-epoch')
      assert.equal(await rows.count(), net.validator_history.length, 'one row per validator set')
      // newest first: the first row is the set in force, the last the genesis
      const last = rows.nth(net.validator_history.length - 1)
      assert.equal(await last.getAttribute('data-change'), 'genesis')
      const text = await rows.first().innerText()
      const current = net.validator_history[net.validator_history.length - 1]
      for (const name of current.validators) assert.ok(text.includes(name), `${name} not in the set in force: ${text}`)
      assert.ok(text.includes(`${current.quorum} / ${current.validators.length}`), `quorum not shown: ${text}`)
    }, { lang: 'en' })
  })
})
