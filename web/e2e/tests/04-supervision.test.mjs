// 4. The supervision dashboard's charts have data: every `chart-*` container
// on /supervision holds a drawn ECharts chart (svg or canvas with shapes),
// and the page's counts are non-zero and match GET /v1/stats.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { apiJson, openPage, tid, withPage } from '../lib/harness.mjs'

// the charts the page is meant to have (SupervisionPage.vue)
const EXPECTED_CHARTS = ['chart-over-time', 'chart-log-order', 'chart-category', 'chart-region', 'chart-grade', 'chart-certificate-status']

describe('4. supervision dashboard', () => {
  it('renders every chart with data and non-zero counts', { timeout: 120_000 }, async () => {
    await withPage('4-supervision', async (page) => {
      await openPage(page, '/supervision', 'supervision', { lang: 'en' })
      const root = tid(page, 'page-supervision')
      const names = await root
        .locator('[data-testid^="chart-"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))
      assert.ok(names.length > 0, 'no chart-* container on /supervision')
      for (const n of EXPECTED_CHARTS) assert.ok(names.includes(n), `${n} missing (charts present: ${names.join(', ')})`)
      for (const n of names) {
        const chart = tid(root, n)
        await chart.scrollIntoViewIfNeeded()
        const drawn = chart.locator('svg, canvas').first()
        await drawn.waitFor({ state: 'visible' }).catch((err) => {
          throw new Error(`${n}: no svg or canvas drawn: ${err.message}`)
        })
        // an ECharts svg with data has shapes; a canvas must have a size
        const shape = await drawn.evaluate((el) =>
          el.tagName.toLowerCase() === 'canvas'
            ? { canvas: true, w: el.width, h: el.height }
            : { canvas: false, shapes: el.querySelectorAll('path, rect, circle, polyline, polygon').length },
        )
        if (shape.canvas) assert.ok(shape.w > 0 && shape.h > 0, `${n}: empty canvas`)
        else assert.ok(shape.shapes > 1, `${n}: the svg has no shapes (${shape.shapes})`)
      }
      const stats = await apiJson('/v1/stats')
      const num = async (id) => Number((await tid(root, id).innerText()).replace(/[^0-9]/g, ''))
      const footprints = await num('stat-footprints')
      const certificates = await num('stat-certificates')
      assert.ok(footprints > 0, `stat-footprints shows ${footprints}`)
      assert.ok(certificates > 0, `stat-certificates shows ${certificates}`)
      // the API may have moved on by a filing from another test: the page never shows more than now
      assert.ok(footprints <= stats.footprints.total, `stat-footprints ${footprints} > API ${stats.footprints.total}`)
      assert.ok(certificates <= stats.certificates.total, `stat-certificates ${certificates} > API ${stats.certificates.total}`)
    })
  })
})
