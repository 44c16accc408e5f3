// 10. Usable on a phone: every page opened in a phone-sized viewport (390 ×
// 844, touch, as an iPhone 12–15 in portrait) shows its demo data without
// the document scrolling sideways (wide tables scroll inside their own
// box); the header search box and the navigation stay reachable. A
// screenshot of each goes to OUT/<page>-phone.png.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { apiJson, assertNoErrorState, demoIds, env, openPage, tid, withPage } from '../lib/harness.mjs'

const PHONE = { width: 390, height: 844 }
const enc = encodeURIComponent

describe('10. every page on a phone', () => {
  it('fits a phone screen without sideways scrolling', { timeout: 300_000 }, async () => {
    const d = demoIds()
    const laptop = await apiJson(`/v1/footprints/${d.laptop}`)
    const pages = [
      ['network', '/'],
      ['search', '/search?q=laptop'],
      ['orgs', '/orgs'],
      ['org', `/orgs/${laptop.author}`],
      ['factors', '/factors'],
      ['rules', '/rules'],
      ['rule', `/rules/${enc(d.rule)}`],
      ['footprint', `/footprints/${d.laptop}`],
      ['certificate', `/certificates/${enc(d.certificate)}`],
      ['labels', '/labels'],
      ['supervision', '/supervision'],
      ['calculator', '/calculator'],
    ]
    const overflowing = []
    for (const [name, p] of pages) {
      await withPage(`10-phone-${name}`, async (page) => {
        await openPage(page, p, name, { lang: 'zh' })
        await assertNoErrorState(page)
        // the header's search box is there on every page
        assert.ok(await tid(page, 'search').first().isVisible(), `${name}: the search box is not visible on a phone`)
        const widths = await page.evaluate(() => ({
          doc: document.documentElement.scrollWidth,
          view: window.innerWidth,
        }))
        if (widths.doc > widths.view + 1) overflowing.push(`${name} (${widths.doc} px wide in ${widths.view})`)
        await page.screenshot({ path: path.join(env().out, `${name}-phone.png`), fullPage: true })
      }, { viewport: PHONE, mobile: true })
    }
    assert.deepEqual(overflowing, [], `pages wider than a phone screen: ${overflowing.join(', ')}`)
  })
})
