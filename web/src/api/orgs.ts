// A cached directory of organisations (GET /v1/orgs, loaded once per page load), to show
// names for org ids anywhere:  const dir = useOrgDirectory(); dir.name(id)
import { shallowRef, type Ref } from 'vue'
import { api, unwrap, type Schemas } from './client'

export type Org = Schemas['Org']

const orgs = shallowRef<Map<string, Org> | null>(null)
const failed = shallowRef(false)
let pending: Promise<Map<string, Org>> | null = null

/** Loads (once) and returns every organisation by id. */
export function loadOrgs(force = false): Promise<Map<string, Org>> {
  if (pending && !force) return pending
  pending = unwrap(api.GET('/v1/orgs'))
    .then((list) => {
      const m = new Map(list.map((o) => [o.id, o] as const))
      orgs.value = m
      failed.value = false
      return m
    })
    .catch((e: unknown) => {
      failed.value = true
      pending = null
      throw e
    })
  return pending
}

export interface OrgDirectory {
  orgs: Ref<Map<string, Org> | null>
  failed: Ref<boolean>
  get: (id: string | null | undefined) => Org | undefined
  /** The organisation's name, or the id itself when unknown. */
  name: (id: string | null | undefined) => string
}

export function useOrgDirectory(): OrgDirectory {
  if (!orgs.value && !pending) loadOrgs().catch(() => undefined)
  return {
    orgs,
    failed,
    get: (id) => (id ? orgs.value?.get(id) : undefined),
    name: (id) => (id ? (orgs.value?.get(id)?.name ?? id) : ''),
  }
}

/** i18n key for a role word from the API (`factor-publisher` → common.roles.factor_publisher). */
export function roleKey(role: string): string {
  return `common.roles.${role.replace(/-/g, '_')}`
}
