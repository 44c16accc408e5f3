// Calculator helpers shared by tests 5 and 6.
import assert from 'node:assert/strict'
import { ACTION_TIMEOUT, SETTLE_TIMEOUT, tid } from './harness.mjs'

/** Clicks "load demo laptop" and waits (bounded) until `calc-result` shows `expectedKg` exactly. */
export async function loadDemoLaptop(page, expectedKg) {
  await tid(page, 'calc-demo').click()
  await waitResult(page, expectedKg)
}

/** Waits until `calc-result` reads exactly `expectedKg`; on timeout says what it read (or the calc-error). */
export async function waitResult(page, expectedKg, timeout = SETTLE_TIMEOUT) {
  try {
    await page.waitForFunction(
      (want) => document.querySelector('[data-testid="calc-result"]')?.textContent?.trim() === want,
      expectedKg,
      { polling: 'raf', timeout },
    )
  } catch (err) {
    const shown = await tid(page, 'calc-result').first().textContent({ timeout: 1000 }).catch(() => null)
    const error = await tid(page, 'calc-error').first().textContent({ timeout: 1000 }).catch(() => null)
    const pageErr = await tid(page, 'error').first().textContent({ timeout: 1000 }).catch(() => null)
    throw new Error(
      `calc-result did not read ${JSON.stringify(expectedKg)} within ${timeout} ms: calc-result ${JSON.stringify(shown)}, calc-error ${JSON.stringify(error)}, error ${JSON.stringify(pageErr)} (${err.message})`,
    )
  }
  const shown = (await tid(page, 'calc-result').first().textContent())?.trim()
  assert.equal(shown, expectedKg)
}

/** The `calc-input-ref` field of the first factor input (kind "factor"). */
export async function firstFactorRef(page) {
  const input = page.locator('[data-testid="calc-input"][data-kind="factor"]').first()
  await input.waitFor({ state: 'visible', timeout: ACTION_TIMEOUT })
  return tid(input, 'calc-input-ref')
}
