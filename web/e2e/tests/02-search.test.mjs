// 2. The header search finds the demo laptop by its GTIN: typing
// 06901234567892 (the laptop's product id is urn:gtin:06901234567892) and
// pressing Enter either opens /footprints/<laptop> or lists a hit linking there.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { demoIds, NAV_TIMEOUT, openPage, tid, waitSettled, withPage } from '../lib/harness.mjs'

describe('2. search', () => {
  it('finds the demo laptop by GTIN from the header search box', { timeout: 120_000 }, async () => {
    const d = demoIds()
    await withPage('2-search-gtin', async (page) => {
      await openPage(page, '/', 'network', { lang: 'en' })
      const box = tid(page, 'search').first()
      await box.fill(d.gtin)
      await box.press('Enter')
      const target = `/footprints/${d.laptop}`
      // either the page opens the single exact hit, or it lists a hit that links to the laptop
      await page.waitForFunction(
        (t) =>
          location.pathname === t ||
          [...document.querySelectorAll('[data-testid="search-hit"] a[href]')].some((a) => new URL(a.href).pathname === t),
        target,
        { polling: 'raf', timeout: NAV_TIMEOUT },
      ).catch(async (err) => {
        const hits = await page.locator('[data-testid="search-hit"]').allInnerTexts().catch(() => [])
        throw new Error(`no hit for ${d.gtin} leads to ${target} (at ${page.url()}, hits: ${JSON.stringify(hits)}): ${err.message}`)
      })
      // (location, not page.url(): the router's pushState may not have reached Playwright yet)
      if ((await page.evaluate(() => location.pathname)) !== target) {
        // listed: following the hit opens the laptop's page. The page may
        // open a single exact hit by itself while the click is under way (the
        // link is then detached): either way the laptop's page must open.
        const navigated = page.waitForURL((u) => u.pathname === target, { timeout: NAV_TIMEOUT })
        const link = page.locator(`[data-testid="search-hit"] a[href^="${target}"]`).first()
        await link.click({ timeout: NAV_TIMEOUT }).catch(() => {})
        await navigated
      }
      await tid(page, 'page-footprint').waitFor({ state: 'visible' })
      await waitSettled(page)
      const ids = await tid(page, 'product-id').allInnerTexts()
      assert.ok(ids.some((s) => s.includes(d.gtin)), `the footprint page lists the product ids ${JSON.stringify(ids)}`)
    })
  })
})
