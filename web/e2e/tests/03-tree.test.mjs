// 3. The demo laptop's supply-chain tree shows every tier: the chart is drawn
// (an svg or canvas in `supply-chain-tree`) and the accessible list has one
// `tree-node` per node of GET /v1/footprints/<laptop>/tree, among them the
// four tiers laptop → chassis → aluminium ingot → grid electricity, and the
// battery, mainboard and display.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { apiJson, demoIds, openPage, tid, withPage } from '../lib/harness.mjs'

/** Every node of the API's tree, depth first (a footprint used in two places counts twice). */
function flatten(node, out = []) {
  out.push({ id: node.id, depth: node.depth })
  for (const c of node.upstream ?? []) flatten(c, out)
  return out
}

describe('3. supply-chain tree', () => {
  it("shows every tier of the demo laptop's supply chain", { timeout: 120_000 }, async () => {
    const d = demoIds()
    const fp = d.footprints
    const tree = await apiJson(`/v1/footprints/${d.laptop}/tree`)
    const expected = flatten(tree.tree)
    await withPage('3-tree', async (page) => {
      await openPage(page, `/footprints/${d.laptop}`, 'footprint', { lang: 'en' })
      const box = tid(page, 'supply-chain-tree')
      await box.waitFor({ state: 'visible' })
      await box.locator('svg, canvas').first().waitFor({ state: 'attached' })
      const nodes = await tid(page, 'tree-node').evaluateAll((els) =>
        els.map((e) => ({ id: e.getAttribute('data-id'), depth: Number(e.getAttribute('data-depth')), text: e.textContent ?? '' })),
      )
      assert.equal(nodes.length, expected.length, `tree-node count vs the API's tree (${expected.length} nodes)`)
      assert.deepEqual(
        nodes.map((n) => `${n.depth}:${n.id}`),
        expected.map((n) => `${n.depth}:${n.id}`),
        'the list follows the API tree (depth and id, depth first)',
      )
      const at = (key, depth) => {
        const id = fp[key]
        assert.ok(id, `demo.json has no footprint ${key}`)
        return nodes.some((n) => n.id === id && (depth === undefined || n.depth === depth))
      }
      // four tiers: laptop (0) → chassis (1) → aluminium ingot (2) → grid electricity (3)
      assert.ok(at('laptop', 0), 'laptop at tier 0')
      assert.ok(at('laptop-chassis', 1), 'chassis at tier 1')
      assert.ok(at('aluminium-ingot', 2), 'aluminium ingot at tier 2')
      assert.ok(at('grid-electricity', 3), 'grid electricity at tier 3')
      for (const k of ['battery-pack', 'battery-cells', 'mainboard', 'display']) assert.ok(at(k), `${k} in the tree`)
      // each list entry names its product
      for (const n of nodes) assert.ok(n.text.trim().length > 0, `tree-node ${n.id} is empty`)
    })
  })
})
