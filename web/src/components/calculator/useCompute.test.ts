import { describe, expect, it, vi, beforeEach, afterEach } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { ApiError } from '../../api/client'
import { useLiveCompute } from './useCompute'
import type { ComputeResult } from './draftApi'
import type { ModelJson } from './model'

const flush = async () => {
  for (let i = 0; i < 10; i++) {
    await Promise.resolve()
    await nextTick()
  }
}

describe('live compute', () => {
  const calls: ModelJson[] = []
  // a node: finds a model without a name does not compute (as computeModel reports the
  // dry run's problem)
  const node = async (m: ModelJson): Promise<ComputeResult> => {
    calls.push(m)
    if (!m.product.name) throw new ApiError('invalid_model', 'product.name: missing', 200)
    return { product: m.product.name, total_mg: 1500000 } as ComputeResult
  }
  beforeEach(() => {
    vi.useFakeTimers()
    calls.length = 0
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('computes once typing pauses and reports the node\'s words', async () => {
    const scope = effectScope()
    const model = ref<ModelJson>({ product: {}, input: [] })
    const live = scope.run(() => useLiveCompute(() => model.value, { delayMs: 300, compute: node }))!
    await flush()
    expect(calls.length).toBe(1)
    expect(live.error.value).toBe('product.name: missing')
    expect(live.errorCode.value).toBe('invalid_model')

    // three keystrokes within the delay: one request
    model.value = { product: { name: 'l' }, input: [] }
    await nextTick()
    vi.advanceTimersByTime(100)
    model.value = { product: { name: 'la' }, input: [] }
    await nextTick()
    vi.advanceTimersByTime(100)
    model.value = { product: { name: 'lap' }, input: [] }
    await nextTick()
    expect(calls.length).toBe(1)
    vi.advanceTimersByTime(300)
    await flush()
    expect(calls.length).toBe(2)
    expect(calls[1]?.product.name).toBe('lap')
    expect(live.error.value).toBeNull()
    expect(live.result.value?.total_mg).toBe(1500000)
    scope.stop()
  })

  it('keeps only the newest answer', async () => {
    const scope = effectScope()
    const model = ref<ModelJson>({ product: { name: 'slow' }, input: [] })
    let release: (() => void) | undefined
    const compute = (m: ModelJson) =>
      m.product.name === 'slow'
        ? new Promise<ComputeResult>((r) => (release = () => r({ product: 'slow', total_mg: 1 } as ComputeResult)))
        : node(m)
    const live = scope.run(() => useLiveCompute(() => model.value, { delayMs: 10, compute }))!
    await flush()
    model.value = { product: { name: 'fast' }, input: [] }
    await nextTick()
    vi.advanceTimersByTime(20)
    await flush()
    expect(live.result.value?.product).toBe('fast')
    release?.()
    await flush()
    expect(live.result.value?.product).toBe('fast')
    scope.stop()
  })

  it('does nothing until enabled', async () => {
    const scope = effectScope()
    const model = ref<ModelJson>({ product: {}, input: [] })
    const on = ref(false)
    const live = scope.run(() => useLiveCompute(() => model.value, { delayMs: 10, enabled: () => on.value, compute: node }))!
    await flush()
    expect(calls.length).toBe(0)
    expect(live.error.value).toBeNull()
    on.value = true
    await nextTick()
    vi.advanceTimersByTime(20)
    await flush()
    expect(calls.length).toBe(1)
    scope.stop()
  })
})
