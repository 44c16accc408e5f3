import { describe, expect, it } from 'vitest'
import fixture from './fixture.tree.json'
import type { components } from '../../api/schema'
import { chartData, flattenTree, leafCount, maxDepth, problemNodes, RED, type RecordStatus } from './tree'

type TreeNodeView = components['schemas']['TreeNodeView']
const tree = fixture.tree as unknown as TreeNodeView
const statuses = fixture.statuses as unknown as Record<string, { status: RecordStatus }>

describe('supply-chain tree', () => {
  const flat = flattenTree(tree, (id) => statuses[id]?.status)

  it('lists every place of every tier in pre-order', () => {
    expect(flat.length).toBe(14)
    expect(flat[0]?.id).toBe(fixture.root)
    expect(flat[0]?.key).toBe('0')
    expect(flat[0]?.descendants).toBe(13)
    expect(new Set(flat.map((n) => n.key)).size).toBe(flat.length)
    expect(Math.max(...flat.map((n) => n.depth))).toBe(maxDepth(tree))
    expect(maxDepth(tree)).toBeGreaterThanOrEqual(3)
    for (const n of flat.slice(1)) {
      const parent = flat.find((p) => p.key === n.parentKey)
      expect(parent?.depth).toBe(n.depth - 1)
    }
  })

  it('has no problems on the demo network', () => {
    expect(problemNodes(flat)).toEqual([])
  })

  it('marks a revoked or superseded upstream with its reason', () => {
    const target = flat[2]!.id
    const other = flat[1]!.id
    const look = (id: string): RecordStatus | undefined =>
      id === target
        ? { status: 'revoked', reason: 'data falsified', at: 99 }
        : id === other
          ? { status: 'deprecated', by: 'ab'.repeat(32), at: 98 }
          : statuses[id]?.status
    const f = flattenTree(tree, look)
    const revoked = f.filter((n) => n.id === target)
    expect(revoked.length).toBeGreaterThan(0)
    expect(revoked.every((n) => n.problem && n.reason === 'data falsified' && n.status === 'revoked')).toBe(true)
    const sup = f.find((n) => n.id === other)!
    expect(sup.status).toBe('deprecated')
    expect(sup.supersededBy).toBe('ab'.repeat(32))
    const data = chartData(f, (n) => n.node.product ?? n.id)!
    expect(data.children[0]?.itemStyle?.color).toBe(RED)
    expect(data.problem).toBe(false)
  })

  it('builds chart data with the same shape as the tree', () => {
    const data = chartData(flat, (n) => n.key)!
    const count = (c: { children: unknown[] }): number =>
      1 + (c.children as { children: unknown[] }[]).reduce((s, x) => s + count(x), 0)
    expect(count(data)).toBe(14)
    expect(leafCount(tree)).toBe(flat.filter((n) => n.descendants === 0).length)
  })
})
