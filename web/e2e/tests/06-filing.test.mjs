// 6. Filing from the browser: the demo laptop's model under a new product id
// and name (so it is a new attestation), authored by the laptop's brand
// organisation with its key file from the devnet's keys folder, is signed in
// the page and committed; `calc-filed` shows the transaction id, and the CLI
// (`tanji footprint verify <id> --json`) recomputes it and reports verified.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { apiJson, demoIds, env, keyFileOf, openPage, tid, withPage } from '../lib/harness.mjs'
import { loadDemoLaptop, waitResult } from '../lib/calculator.mjs'

const run = promisify(execFile)
const FILE_TIMEOUT = 60_000

describe('6. filing from the browser', () => {
  it('files a new attestation signed in the page; the CLI verifies it', { timeout: 240_000 }, async () => {
    const d = demoIds()
    const laptop = await apiJson(`/v1/footprints/${d.laptop}`)
    const keyFile = keyFileOf(laptop.author)
    const stamp = `${Date.now().toString(36)}-${process.pid}`
    const name = `E2E 浏览器备案 browser filing ${stamp}`
    const productId = `urn:tanji:e2e:${stamp}`
    let txId
    await withPage('6-filing', async (page) => {
      await openPage(page, '/calculator', 'calculator', { lang: 'en' })
      await loadDemoLaptop(page, String(laptop.total_kg))
      await tid(page, 'calc-name').fill(name)
      const ids = tid(page, 'calc-product-id')
      await ids.first().fill(productId)
      // keep only the new product id, so the GTIN still finds the demo laptop alone
      const n = await ids.count()
      for (let i = n - 1; i >= 1; i--) await ids.nth(i).locator('xpath=following-sibling::button[1]').click()
      assert.equal(await ids.count(), 1, 'one product id left')
      // the figures do not depend on the name or id
      await waitResult(page, String(laptop.total_kg))
      await tid(page, 'calc-key-file').setInputFiles(keyFile)
      await tid(page, 'calc-key').waitFor({ state: 'visible' }).catch(async (err) => {
        const why = await tid(page, 'calc-key-error').textContent({ timeout: 1000 }).catch(() => null)
        throw new Error(`the key file ${keyFile} was not accepted (${why}): ${err.message}`)
      })
      const button = tid(page, 'calc-file')
      await page.waitForFunction(() => !document.querySelector('[data-testid="calc-file"]')?.disabled, undefined, { timeout: 20_000 })
      await button.click()
      // committed (calc-filed) or refused (calc-file-error), bounded
      await page
        .waitForFunction(
          () =>
            /^[0-9a-f]{64}$/.test(document.querySelector('[data-testid="calc-filed"]')?.textContent?.trim() ?? '') ||
            !!document.querySelector('[data-testid="calc-file-error"]'),
          undefined,
          { polling: 'raf', timeout: FILE_TIMEOUT },
        )
        .catch((err) => {
          throw new Error(`filing did not finish within ${FILE_TIMEOUT} ms: ${err.message}`)
        })
      const refused = tid(page, 'calc-file-error')
      if (await refused.count()) assert.fail(`filing refused: ${await refused.first().textContent()}`)
      txId = (await tid(page, 'calc-filed').first().textContent())?.trim()
    })

    assert.match(String(txId), /^[0-9a-f]{64}$/)
    // the node holds the new attestation, by the brand organisation, with the laptop's figure
    const filed = await apiJson(`/v1/footprints/${txId}`)
    assert.equal(filed.author, laptop.author)
    assert.equal(filed.product.name, name)
    assert.deepEqual(filed.product.ids, [productId])
    assert.equal(String(filed.total_kg), String(laptop.total_kg))

    const { tanji, node } = env()
    let out
    try {
      out = await run(tanji, ['footprint', 'verify', txId, '--node', node, '--json'], { timeout: 60_000, maxBuffer: 16 << 20 })
    } catch (err) {
      assert.fail(`tanji footprint verify ${txId} failed (exit ${err.code}): ${err.stderr || err.message}\n${String(err.stdout).slice(0, 2000)}`)
    }
    const report = JSON.parse(out.stdout)
    assert.equal(report.footprint, txId)
    assert.equal(report.verified, true, `tanji footprint verify: ${out.stdout.slice(0, 2000)}`)
  })
})
