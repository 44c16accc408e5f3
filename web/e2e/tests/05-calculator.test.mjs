// 5. The calculator reproduces the demo laptop's figure exactly: after "load
// demo laptop", `calc-result` is the footprint's total_kg from the API,
// digit for digit; an input naming an unknown factor gives a `calc-error`
// that names it.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { apiJson, demoIds, openPage, tid, withPage } from '../lib/harness.mjs'
import { firstFactorRef, loadDemoLaptop } from '../lib/calculator.mjs'

const UNKNOWN = 'no-such-factor@1'

describe('5. calculator', () => {
  it("reproduces the demo laptop's total exactly", { timeout: 120_000 }, async () => {
    const d = demoIds()
    const fp = await apiJson(`/v1/footprints/${d.laptop}`)
    assert.match(String(fp.total_kg), /^-?[0-9]+(\.[0-9]+)?$/, `the API's total_kg: ${fp.total_kg}`)
    await withPage('5-calculator-exact', async (page) => {
      await openPage(page, '/calculator', 'calculator', { lang: 'en' })
      await loadDemoLaptop(page, String(fp.total_kg))
      // the model is the laptop's: its rule is selected
      assert.equal(await tid(page, 'calc-rule').inputValue(), fp.rule)
    })
  })

  it('names an unknown factor in calc-error', { timeout: 120_000 }, async () => {
    const d = demoIds()
    const fp = await apiJson(`/v1/footprints/${d.laptop}`)
    await withPage('5-calculator-unknown-factor', async (page) => {
      await openPage(page, '/calculator', 'calculator', { lang: 'en' })
      await loadDemoLaptop(page, String(fp.total_kg))
      const ref = await firstFactorRef(page)
      await ref.fill(UNKNOWN)
      const err = tid(page, 'calc-error').first()
      await err.waitFor({ state: 'visible' })
      await page
        .waitForFunction(
          (want) => (document.querySelector('[data-testid="calc-error"]')?.textContent ?? '').includes(want),
          UNKNOWN,
          { polling: 'raf', timeout: 20_000 },
        )
        .catch(async () => {
          throw new Error(`calc-error does not name ${UNKNOWN}: ${JSON.stringify(await err.textContent())}`)
        })
      // no figure is shown for a model that does not compute
      assert.equal(await tid(page, 'calc-result').count(), 0, 'calc-result still shown next to the error')
    })
  })
})
