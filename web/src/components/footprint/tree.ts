// The supply-chain tree of GET /v1/footprints/{id}/tree, flattened for the
// accessible list and shaped for the ECharts tree series.
import type { components } from '../../api/schema'

type Schemas = components['schemas']
export type TreeNodeView = Schemas['TreeNodeView']
export type RecordStatus = Schemas['RecordStatus']

/** One node of the tree at one place (the same attestation may appear on several paths). */
export interface FlatNode {
  /** Path of child positions from the root, e.g. `0.2.1`; unique per place. */
  key: string
  id: string
  depth: number
  parentKey: string | null
  parentId: string | null
  node: TreeNodeView
  /** active, deprecated, revoked or unknown. */
  status: string
  /** Why it was revoked, when it was. */
  reason: string | null
  /** What replaced it, when it was superseded. */
  supersededBy: string | null
  /** Whether it (or what it needs) is not in force: revoked, superseded or unknown. */
  problem: boolean
  /** Number of nodes below it. */
  descendants: number
}

export type StatusLookup = (id: string) => RecordStatus | undefined

/** Statuses from the tree's records (`records.footprints[id].status`). */
export function statusLookup(records: Schemas['TreeData'] | undefined): StatusLookup {
  return (id) => records?.footprints?.[id]?.status
}

function describe(node: TreeNodeView, lookup: StatusLookup) {
  const rec = lookup(node.id)
  const status = rec?.status ?? node.status
  const reason = rec && rec.status === 'revoked' ? rec.reason : null
  const supersededBy = rec && rec.status === 'deprecated' ? rec.by : null
  return { status, reason, supersededBy, problem: status !== 'active' }
}

/** The tree in pre-order (root first), each place once. */
export function flattenTree(root: TreeNodeView, lookup: StatusLookup = () => undefined): FlatNode[] {
  const out: FlatNode[] = []
  const walk = (node: TreeNodeView, key: string, parent: FlatNode | null): number => {
    const flat: FlatNode = {
      key,
      id: node.id,
      depth: node.depth,
      parentKey: parent?.key ?? null,
      parentId: parent?.id ?? null,
      node,
      ...describe(node, lookup),
      descendants: 0,
    }
    out.push(flat)
    let n = 0
    ;(node.upstream ?? []).forEach((child, i) => {
      n += 1 + walk(child, `${key}.${i}`, flat)
    })
    flat.descendants = n
    return n
  }
  walk(root, '0', null)
  return out
}

/** Upstream places that are not in force (revoked, superseded, unknown), below the root. */
export function problemNodes(flat: FlatNode[]): FlatNode[] {
  return flat.filter((n) => n.depth > 0 && n.problem)
}

/** Number of leaves (for sizing the chart). */
export function leafCount(root: TreeNodeView): number {
  const up = root.upstream ?? []
  return up.length === 0 ? 1 : up.reduce((n, c) => n + leafCount(c), 0)
}

/** Depth of the deepest node (root = 0). */
export function maxDepth(root: TreeNodeView): number {
  return (root.upstream ?? []).reduce((d, c) => Math.max(d, maxDepth(c)), root.depth)
}

/** What the ECharts tree series needs per node; labels are made by the caller. */
export interface ChartNode {
  name: string
  /** The attestation id, for navigation. */
  id: string
  key: string
  value?: string
  problem: boolean
  children: ChartNode[]
  itemStyle?: { color: string; borderColor: string }
  label?: { color: string }
  lineStyle?: { color: string }
}

export const RED = '#b42318'
const GREEN = '#1f6f5c'
const GREY = '#8a949c'

/** The tree as ECharts tree-series data; `label` names each node. */
export function chartData(flat: FlatNode[], label: (n: FlatNode) => string): ChartNode | null {
  const byKey = new Map<string, ChartNode>()
  let root: ChartNode | null = null
  for (const n of flat) {
    const color = n.status === 'unknown' ? GREY : n.problem ? RED : GREEN
    const c: ChartNode = {
      name: label(n),
      id: n.id,
      key: n.key,
      value: n.node.total_kg ?? undefined,
      problem: n.problem,
      children: [],
      itemStyle: { color: n.problem ? RED : '#fff', borderColor: color },
      label: n.problem ? { color: RED } : undefined,
    }
    byKey.set(n.key, c)
    if (n.parentKey === null) root = c
    else byKey.get(n.parentKey)?.children.push(c)
  }
  return root
}
