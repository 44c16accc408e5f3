// The drafting routes the calculator uses: the dry run
// (POST /v1/footprints/compute), the unsigned transaction
// (POST /v1/footprints/prepare), submission (POST /v1/tx) and status
// (GET /v1/tx/{id}), through the generated client.
import { api, ApiError, toApiError, unwrap, type Schemas } from '../../api/client'
import type { ModelJson } from './model'

export type ComputeResult = Schemas['ComputeResult']
export type DryRun = Schemas['DryRun']
export type PreparedTx = Schemas['PreparedTx']

// openapi.json describes `model` only as an object (Record<string, never> once
// generated); the model file's shape is ModelJson.
type BodyModel = Schemas['ComputeRequest']['model']
const asBody = (m: ModelJson) => m as unknown as BodyModel

/**
 * The dry run: what the attestation would record, or the model's problem as
 * an ApiError `invalid_model` (the node answers it as a finding, 200, not as a
 * failed request, so a half-typed model logs nothing in the console).
 */
export async function computeModel(model: ModelJson, signal?: AbortSignal): Promise<ComputeResult> {
  const dry = await unwrap(api.POST('/v1/footprints/compute', { body: { model: asBody(model) }, signal }))
  if (dry.result) return dry.result
  throw new ApiError('invalid_model', dry.problem ?? 'the model does not compute', 200)
}

/** The attestation as an unsigned transaction by `author` (org id hex). */
export function prepareModel(model: ModelJson, author: string): Promise<PreparedTx> {
  return unwrap(api.POST('/v1/footprints/prepare', { body: { model: asBody(model), author } }))
}

/** Submits borsh(SignedTx) as application/octet-stream. */
export async function submitEntry(entry: Uint8Array): Promise<Schemas['SubmitResponse']> {
  const { data, error, response } = await api.POST('/v1/tx', {
    body: Array.from(entry),
    bodySerializer: (b: unknown) => new Uint8Array(b as number[]),
    headers: { 'content-type': 'application/octet-stream' },
  })
  if (error !== undefined || !data) throw toApiError(error, response.status)
  return data
}

/** The transaction's status; a 404 is `unknown` (not yet seen), not a failure. */
export async function txStatus(id: string): Promise<Schemas['TxStatus']> {
  const { data, error, response } = await api.GET('/v1/tx/{id}', { params: { path: { id } } })
  if (data) return data
  if (response.status === 404 && error && typeof error === 'object' && 'status' in error) {
    return error as Schemas['TxStatus']
  }
  throw toApiError(error, response.status)
}

/**
 * Polls until the transaction is committed (resolves) or rejected (throws
 * ApiError with the node's reason), for at most `timeoutMs`.
 */
export async function waitCommitted(
  id: string,
  opts: { timeoutMs?: number; intervalMs?: number; onStatus?: (s: Schemas['TxStatus']) => void } = {},
): Promise<Schemas['TxStatus']> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000)
  const interval = opts.intervalMs ?? 800
  for (;;) {
    let s: Schemas['TxStatus'] | null = null
    try {
      s = await txStatus(id)
    } catch (e) {
      const err = toApiError(e, e instanceof ApiError ? e.status : 0)
      if (err.code !== 'network' && err.status < 500) throw err
    }
    if (s) {
      opts.onStatus?.(s)
      if (s.status === 'committed') return s
      if (s.status === 'rejected') {
        throw new ApiError(s.error?.code ?? 'rejected', s.error?.message ?? 'rejected', 422)
      }
    }
    if (Date.now() > deadline) throw new ApiError('timeout', id, 0)
    await new Promise((r) => setTimeout(r, interval))
  }
}
