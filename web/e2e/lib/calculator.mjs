// Calculator helpers shared by tests 5 and 6.
import assert from 'node:assert/strict'
import { ACTION_TIMEOUT, SETTLE_TIMEOUT, tid } from './harness.mjs'

/**
 * Expected console errors on /calculator. The calculator recomputes the model
 * as it is edited with the node's dry run (POST /v1/footprints/compute); a
 * model that does not compute (still empty, half typed, or the deliberately
 * unknown factor of test 5) is answered 422 with the node's message, which the
 * page shows. Chromium logs every non-2xx response as a console error
 * ("Failed to load resource: ... status of 422"); only that one, for that
 * route, is expected. Anything else still fails the test.
 */
export const DRY_RUN_422 = {
  kind: 'console',
  text: /^Failed to load resource: the server responded with a status of 422\b/,
  url: /\/v1\/footprints\/compute(\?|$)/,
  why: 'the dry run answers 422 for a model that does not compute; the page shows the message',
}

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
