// The platform's single way to talk to a node's REST API.
//
// - `api`            typed openapi-fetch client for the node that served the page (same origin)
// - `createApi(url)` the same for another node (cross-checks; CORS is enabled on the read API)
// - `unwrap(p)`      turns an openapi-fetch result into its data or throws an `ApiError`
// - `errorMessage(e)` a human message (localised) for any error: API refusal, HTTP error or network failure
// - `useQuery(fn, { watch })` loading / error / data / reload for pages
//
// Response types are never hand-written: use `Schemas['X']` (= components['schemas']['X'])
// from the generated ./schema.d.ts (`npm run gen`).
import createClient from 'openapi-fetch'
import { ref, shallowRef, watch, onScopeDispose, getCurrentScope, type Ref, type WatchSource } from 'vue'
import type { components, paths } from './schema'
import { i18n } from '../i18n'

export type Schemas = components['schemas']
export type { paths, components }

export function createApi(baseUrl = '') {
  return createClient<paths>({ baseUrl: baseUrl.replace(/\/+$/, '') })
}
export type Api = ReturnType<typeof createApi>

/** The node that served this page. */
export const api: Api = createApi('')

/** An API refusal (`{ error: { code, message } }`), an HTTP error without a body, or a network failure. */
export class ApiError extends Error {
  readonly code: string
  readonly status: number
  constructor(code: string, message: string, status: number) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.status = status
  }
}

function isErrorBody(x: unknown): x is Schemas['ErrorBody'] {
  if (typeof x !== 'object' || x === null) return false
  const e = (x as { error?: unknown }).error
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
}

/** Converts whatever a failed request gave back into an ApiError. */
export function toApiError(error: unknown, status = 0): ApiError {
  if (error instanceof ApiError) return error
  if (isErrorBody(error)) return new ApiError(error.error.code, error.error.message, status)
  if (status === 0) {
    // fetch() rejected: connection refused, DNS, CORS, offline
    return new ApiError('network', error instanceof Error ? error.message : String(error), 0)
  }
  const text = typeof error === 'string' ? error : ''
  return new ApiError(status === 404 ? 'not_found' : 'http', text || `HTTP ${status}`, status)
}

type FetchResult<T> = { data?: T; error?: unknown; response: Response }

/**
 * Awaits an openapi-fetch call and returns its data, or throws an ApiError.
 *   const net = await unwrap(api.GET('/v1/network'))
 */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let res: FetchResult<T>
  try {
    res = await call
  } catch (e) {
    // a request its caller aborted (a newer one replaced it) is not a failure to report
    if (e instanceof DOMException && e.name === 'AbortError') throw e
    throw toApiError(e, 0)
  }
  if (res.error !== undefined || !res.response.ok) {
    throw toApiError(res.error, res.response.status)
  }
  return res.data as T
}

/** A human, localised message for an error (never a stack trace). */
export function errorMessage(e: unknown): string {
  // erased signature: the merged message schema is too deep for TS to instantiate here
  const g = i18n.global as unknown as {
    t: (key: string, params?: Record<string, unknown>) => string
    te: (key: string, locale?: string) => boolean
  }
  const t = g.t
  const err = toApiError(e, e instanceof ApiError ? e.status : 0)
  const key = `common.errors.${err.code}`
  const known = g.te(key) || g.te(key, 'zh')
  const head = known ? t(key) : t('common.errors.generic', { code: err.code })
  if (err.code === 'network') return head
  return err.message && err.message !== head ? t('common.errors.detail', { head, detail: err.message }) : head
}

/** What <QueryState> needs from a query (any Query<T> fits). */
export interface QueryLike {
  /** When present and defined, a reload keeps showing it instead of the loading state. */
  data?: { readonly value: unknown }
  loading: Ref<boolean>
  error: Ref<string | null>
  reload: () => Promise<void>
}

export interface Query<T> {
  data: Ref<T | undefined>
  loading: Ref<boolean>
  /** The localised message, or null. */
  error: Ref<string | null>
  /** The raw error (ApiError), e.g. to tell not_found apart. */
  failure: Ref<ApiError | null>
  reload: () => Promise<void>
}

/**
 * Runs `fetcher` now (unless `immediate: false`) and again whenever a `watch` source changes.
 * Out-of-order answers are discarded.
 *   const { data, loading, error, reload } = useQuery(() => unwrap(api.GET('/v1/orgs/{id}',
 *     { params: { path: { id: props.id } } })), { watch: () => props.id })
 */
export function useQuery<T>(
  fetcher: () => Promise<T>,
  options: { watch?: WatchSource | WatchSource[]; immediate?: boolean; keepData?: boolean } = {},
): Query<T> {
  const data = shallowRef<T | undefined>(undefined) as Ref<T | undefined>
  const loading = ref(false)
  const error = ref<string | null>(null)
  const failure = shallowRef<ApiError | null>(null)
  let seq = 0
  let alive = true
  if (getCurrentScope()) onScopeDispose(() => { alive = false })

  async function reload(): Promise<void> {
    const mine = ++seq
    loading.value = true
    error.value = null
    failure.value = null
    if (!options.keepData) data.value = undefined
    try {
      const value = await fetcher()
      if (mine !== seq || !alive) return
      data.value = value
    } catch (e) {
      if (mine !== seq || !alive) return
      failure.value = toApiError(e, e instanceof ApiError ? e.status : 0)
      error.value = errorMessage(e)
    } finally {
      if (mine === seq && alive) loading.value = false
    }
  }

  if (options.watch) watch(options.watch as WatchSource[], () => { void reload() })
  if (options.immediate !== false) {
    void reload()
  }
  return { data, loading, error, failure, reload }
}
