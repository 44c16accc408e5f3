// The calculator's live dry run: recomputes (debounced) whenever the model
// changes, keeps only the newest answer, and reports the node's message for a
// model that does not compute.
import { onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue'
import { ApiError, errorMessage } from '../../api/client'
import { computeModel, type ComputeResult } from './draftApi'
import type { ModelJson } from './model'

export interface LiveCompute {
  result: Ref<ComputeResult | null>
  /** The problem, in words (the node's message names the field or input). */
  error: Ref<string | null>
  /** The error's code (`invalid_model`, `network`, ...). */
  errorCode: Ref<string | null>
  computing: Ref<boolean>
  /** The model the current result or error is for (JSON text). */
  computedFor: Ref<string | null>
  now: () => void
}

export function useLiveCompute(
  model: () => ModelJson,
  opts: {
    delayMs?: number
    enabled?: () => boolean
    /** The dry run (the node's, by default). */
    compute?: (m: ModelJson, signal: AbortSignal) => Promise<ComputeResult>
  } = {},
): LiveCompute {
  const result = shallowRef<ComputeResult | null>(null)
  const error = ref<string | null>(null)
  const errorCode = ref<string | null>(null)
  const computing = ref(false)
  const computedFor = ref<string | null>(null)
  let timer: ReturnType<typeof setTimeout> | undefined
  let controller: AbortController | null = null
  let seq = 0

  async function run(text: string, m: ModelJson) {
    controller?.abort()
    const ctl = new AbortController()
    controller = ctl
    const mine = ++seq
    computing.value = true
    try {
      const r = await (opts.compute ?? computeModel)(m, ctl.signal)
      if (mine !== seq) return
      result.value = r
      error.value = null
      errorCode.value = null
    } catch (e) {
      if (mine !== seq || (e instanceof DOMException && e.name === 'AbortError')) return
      const err = e instanceof ApiError ? e : null
      result.value = null
      errorCode.value = err?.code ?? 'error'
      error.value = err?.code === 'invalid_model' ? err.message : errorMessage(e)
    } finally {
      if (mine === seq) {
        computing.value = false
        computedFor.value = text
      }
    }
  }

  function schedule(immediate = false) {
    if (opts.enabled && !opts.enabled()) {
      // nothing typed yet: no result and no error
      if (timer) clearTimeout(timer)
      controller?.abort()
      seq++
      result.value = null
      error.value = null
      errorCode.value = null
      computing.value = false
      computedFor.value = null
      return
    }
    const m = model()
    const text = JSON.stringify(m)
    if (timer) clearTimeout(timer)
    if (immediate) void run(text, m)
    else timer = setTimeout(() => void run(text, m), opts.delayMs ?? 350)
  }

  watch(() => [JSON.stringify(model()), opts.enabled?.() ?? true], () => schedule(), { immediate: false })
  schedule(true)
  onScopeDispose(() => {
    if (timer) clearTimeout(timer)
    controller?.abort()
    seq++
  })
  return { result, error, errorCode, computing, computedFor, now: () => schedule(true) }
}
