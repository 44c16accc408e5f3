// 8. The pages that need no script still work next to the platform: the
// verification page /verify/<certificate> (what the label's QR code opens)
// and the label SVG /v1/labels/<certificate>.svg, on validator-0 and on the
// observer; and every node serves the platform itself at history-mode URLs.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { demoIds, env, httpGet } from '../lib/harness.mjs'

function nodes() {
  const e = env()
  return [
    ['validator-0', e.node],
    ...(e.observer ? [['observer', e.observer]] : []),
  ]
}

describe('8. no-script pages and the served platform', () => {
  it('serves /verify/<certificate> as HTML and the label SVG', { timeout: 60_000 }, async () => {
    const d = demoIds()
    const cert = encodeURIComponent(d.certificate)
    for (const [who, base] of nodes()) {
      const page = await httpGet(`${base}/verify/${cert}`, { accept: 'text/html' })
      assert.equal(page.status, 200, `${who}: GET /verify/${cert}: ${page.status}`)
      assert.match(page.headers.get('content-type') ?? '', /text\/html/, `${who}: /verify content type`)
      assert.ok(page.text.includes(d.certificate), `${who}: /verify page does not name ${d.certificate}`)
      // the no-script page has no script to run
      assert.ok(!/<script\b/i.test(page.text), `${who}: /verify page has a <script>`)

      const svg = await httpGet(`${base}/v1/labels/${cert}.svg`, { accept: 'image/svg+xml' })
      assert.equal(svg.status, 200, `${who}: GET /v1/labels/${cert}.svg: ${svg.status}`)
      assert.match(svg.headers.get('content-type') ?? '', /image\/svg\+xml/, `${who}: label content type`)
      assert.match(svg.text, /<svg\b/, `${who}: label is not SVG`)
      assert.ok(svg.text.includes(d.certificate), `${who}: label does not name ${d.certificate}`)
    }
  })

  it('every node serves the platform at / and at history-mode URLs', { timeout: 60_000 }, async () => {
    const d = demoIds()
    for (const [who, base] of nodes()) {
      for (const p of ['/', '/supervision', `/footprints/${d.laptop}`, `/certificates/${encodeURIComponent(d.certificate)}?lang=en`]) {
        const r = await httpGet(`${base}${p}`, { accept: 'text/html' })
        assert.equal(r.status, 200, `${who}: GET ${p}: ${r.status} ${r.text.slice(0, 200)}`)
        assert.match(r.headers.get('content-type') ?? '', /text\/html/, `${who}: GET ${p} content type`)
        assert.match(r.text, /<div id="app">/, `${who}: GET ${p} is not the platform's index.html`)
      }
    }
  })
})
