// 7. The in-browser verifier on /certificates/<demo certificate>: the genuine
// bundle gives `verified`; a bundle altered in transit (page.route) gives
// `failed: <check>` naming the check that catches it (web/src/verify/bundle.ts):
// - one base64 character of an entry's proof hash flipped → inclusion proof;
// - one base64 character of a validator's checkpoint signature flipped →
//   checkpoint signatures (a line by a trusted key that does not verify);
// - validator signature lines dropped below the quorum → quorum.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { demoIds, NAV_TIMEOUT, openPage, tid, withPage } from '../lib/harness.mjs'

const VERIFY_TIMEOUT = 60_000
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** `s` with the base64 character at `i` replaced by another one (still valid base64 there). */
function flipBase64(s, i) {
  const c = s[i]
  assert.ok(c !== undefined && ALPHABET.includes(c), `no base64 character at ${i} of ${s}`)
  const other = c === 'A' ? 'B' : 'A'
  return s.slice(0, i) + other + s.slice(i + 1)
}

/** Flips the first character of the first proof hash of the first entry that has a proof. */
function tamperProof(bundle) {
  const e = bundle.entries.find((x) => Array.isArray(x.proof) && x.proof.length > 0)
  assert.ok(e, 'no entry of the certificate bundle has a proof hash')
  e.proof[0] = flipBase64(e.proof[0], 0)
  return bundle
}

/** The checkpoint note's signature lines: "— <name> <base64(keyid ‖ signature)>". */
function splitNote(text) {
  const at = text.indexOf('\n\n')
  assert.ok(at > 0, 'checkpoint note has no blank line')
  const body = text.slice(0, at + 2)
  const lines = text.slice(at + 2).split('\n').filter((l) => l.length > 0)
  return { body, lines }
}

/** Validator names from the bundle's vkeys ("name+keyid+key"). */
function validatorNames(bundle) {
  return bundle.validators.map((v) => v.split('+')[0])
}

/** Flips a character inside the signature (not the 4-byte key id) of the first validator's line. */
function tamperSignature(bundle) {
  const { body, lines } = splitNote(bundle.checkpoint)
  const names = new Set(validatorNames(bundle))
  const i = lines.findIndex((l) => names.has(l.split(' ')[1]))
  assert.ok(i >= 0, 'no checkpoint signature line by a validator')
  const parts = lines[i].split(' ')
  const sig = parts[2]
  // base64 of 4 key-id bytes + 64 signature bytes: character 40 encodes signature bytes
  assert.ok(sig.length > 60, `signature line too short: ${lines[i]}`)
  parts[2] = flipBase64(sig, 40)
  lines[i] = parts.join(' ')
  bundle.checkpoint = body + lines.join('\n') + '\n'
  return bundle
}

/** Keeps quorum - 1 validator signature lines (other lines, e.g. witnesses, stay). */
function dropBelowQuorum(bundle) {
  const { body, lines } = splitNote(bundle.checkpoint)
  const names = new Set(validatorNames(bundle))
  const keep = Number(bundle.quorum) - 1
  let kept = 0
  const out = lines.filter((l) => {
    if (!names.has(l.split(' ')[1])) return true
    kept++
    return kept <= keep
  })
  bundle.checkpoint = body + out.join('\n') + '\n'
  return bundle
}

/** Opens the certificate page with the bundle route altered by `tamper` (none: genuine); returns the verdict. */
async function verdictFor(page, tamper) {
  const d = demoIds()
  let served = 0
  if (tamper) {
    await page.route('**/v1/certificates/*/bundle', async (route) => {
      const res = await route.fetch({ timeout: NAV_TIMEOUT })
      const bundle = JSON.parse(await res.text())
      served++
      await route.fulfill({ response: res, body: JSON.stringify(tamper(bundle)), headers: { ...res.headers(), 'content-type': 'application/json' } })
    })
  }
  await openPage(page, `/certificates/${encodeURIComponent(d.certificate)}`, 'certificate', { lang: 'en', settle: false })
  const panel = page.locator('[data-testid="verify-panel"][data-kind="certificate"]')
  await panel.waitFor({ state: 'visible' })
  const verdict = tid(panel, 'verify-verdict')
  await verdict.waitFor({ state: 'visible', timeout: VERIFY_TIMEOUT }).catch(async (err) => {
    const e = await tid(panel, 'error').textContent({ timeout: 1000 }).catch(() => null)
    throw new Error(`no verify-verdict within ${VERIFY_TIMEOUT} ms (panel error: ${JSON.stringify(e)}): ${err.message}`)
  })
  if (tamper) assert.ok(served > 0, 'the bundle request was not intercepted')
  const checks = await tid(panel, 'verify-check').evaluateAll((els) =>
    els.map((e) => `${e.getAttribute('data-check')}=${e.getAttribute('data-ok')}`),
  )
  return { verdict: (await verdict.textContent())?.trim(), checks }
}

describe('7. in-browser verifier', () => {
  it('verifies the genuine certificate bundle', { timeout: 150_000 }, async () => {
    await withPage('7-verify-genuine', async (page) => {
      const r = await verdictFor(page, null)
      assert.equal(r.verdict, 'verified', `checks: ${r.checks.join(', ')}`)
    })
  })

  it('fails a bundle with a tampered proof hash at "inclusion proof"', { timeout: 150_000 }, async () => {
    await withPage('7-verify-proof', async (page) => {
      const r = await verdictFor(page, tamperProof)
      assert.equal(r.verdict, 'failed: inclusion proof', `checks: ${r.checks.join(', ')}`)
    })
  })

  it('fails a bundle with a tampered checkpoint signature at "checkpoint signatures"', { timeout: 150_000 }, async () => {
    await withPage('7-verify-signature', async (page) => {
      const r = await verdictFor(page, tamperSignature)
      assert.match(r.verdict ?? '', /^failed: /, `checks: ${r.checks.join(', ')}`)
      // a line by a trusted validator key that does not verify is a bad signature, not a missing one
      assert.equal(r.verdict, 'failed: checkpoint signatures', `checks: ${r.checks.join(', ')}`)
    })
  })

  it('fails a bundle with fewer signatures than the quorum at "quorum"', { timeout: 150_000 }, async () => {
    await withPage('7-verify-quorum', async (page) => {
      const r = await verdictFor(page, dropBelowQuorum)
      assert.equal(r.verdict, 'failed: quorum', `checks: ${r.checks.join(', ')}`)
    })
  })
})
