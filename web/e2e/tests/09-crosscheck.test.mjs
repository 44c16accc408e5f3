// 9. The footprint page checks the demo laptop's entry in the browser too
// (an inclusion bundle: `verify-verdict` is `verified`), and the visitor can
// cross-check it against a second node: given the observer's URL, the page
// fetches that node's checkpoint (CORS on the read API), checks its
// signatures against the validator keys of the bundle and its consistency
// with the bundle's checkpoint, and reports the same log (`same`, `extends`
// or `behind`), never `diverged`.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { demoIds, env, openPage, tid, withPage } from '../lib/harness.mjs'

const VERIFY_TIMEOUT = 60_000

describe('9. footprint verification and cross-check with a second node', () => {
  it('verifies the laptop in the browser and agrees with the observer', { timeout: 150_000 }, async (t) => {
    const d = demoIds()
    const { observer } = env()
    await withPage('9-crosscheck', async (page) => {
      await openPage(page, `/footprints/${d.laptop}`, 'footprint', { lang: 'en', settle: false })
      const panel = page.locator('[data-testid="verify-panel"][data-kind="inclusion"]')
      await panel.waitFor({ state: 'visible' })
      const verdict = tid(panel, 'verify-verdict')
      await verdict.waitFor({ state: 'visible', timeout: VERIFY_TIMEOUT })
      const checks = await tid(panel, 'verify-check').evaluateAll((els) =>
        els.map((e) => `${e.getAttribute('data-check')}=${e.getAttribute('data-ok')}`),
      )
      assert.equal((await verdict.textContent())?.trim(), 'verified', `checks: ${checks.join(', ')}`)
      if (!observer) {
        t.diagnostic('no observer in this network: the cross-check is not exercised')
        return
      }
      await tid(panel, 'verify-node-url').fill(observer)
      await tid(panel, 'verify-crosscheck-run').click()
      const result = tid(panel, 'verify-crosscheck-result')
      await result.waitFor({ state: 'visible', timeout: VERIFY_TIMEOUT }).catch(async (err) => {
        const e = await tid(panel, 'verify-crosscheck-error').textContent({ timeout: 1000 }).catch(() => null)
        throw new Error(`no cross-check result against ${observer} (error shown: ${JSON.stringify(e)}): ${err.message}`)
      })
      const outcome = await result.getAttribute('data-outcome')
      assert.ok(['same', 'extends', 'behind'].includes(String(outcome)), `cross-check outcome ${outcome}: ${await result.innerText()}`)
      assert.ok(await result.evaluate((el) => el.classList.contains('ok')), `cross-check not ok: ${await result.innerText()}`)
    })
  })
})
