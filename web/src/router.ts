// History-mode router. Every page is lazily loaded. `?lang=zh|en` is kept in the URL:
// once the user picks English, every navigation carries `lang=en` so any URL is shareable.
import { createRouter, createWebHistory, createMemoryHistory, type RouteRecordRaw } from 'vue-router'
import { currentLocale, DEFAULT_LOCALE, isLocale, setLocale } from './i18n'

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'network', component: () => import('./pages/NetworkPage.vue') },
  { path: '/search', name: 'search', component: () => import('./pages/SearchPage.vue') },
  { path: '/orgs', name: 'orgs', component: () => import('./pages/OrgsPage.vue') },
  { path: '/orgs/:id', name: 'org', component: () => import('./pages/OrgPage.vue'), props: true },
  { path: '/factors', name: 'factors', component: () => import('./pages/FactorsPage.vue') },
  { path: '/factors/:key', name: 'factor', component: () => import('./pages/FactorPage.vue'), props: (r) => ({ factorKey: String(r.params.key) }) },
  { path: '/rules', name: 'rules', component: () => import('./pages/RulesPage.vue') },
  { path: '/rules/:key', name: 'rule', component: () => import('./pages/RulePage.vue'), props: (r) => ({ ruleKey: String(r.params.key) }) },
  { path: '/footprints/:id', name: 'footprint', component: () => import('./pages/FootprintPage.vue'), props: true },
  { path: '/certificates/:id', name: 'certificate', component: () => import('./pages/CertificatePage.vue'), props: true },
  { path: '/labels', name: 'labels', component: () => import('./pages/LabelsPage.vue') },
  { path: '/supervision', name: 'supervision', component: () => import('./pages/SupervisionPage.vue') },
  { path: '/calculator', name: 'calculator', component: () => import('./pages/CalculatorPage.vue') },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue') },
]

export const router = createRouter({
  // memory history outside a browser (server rendering, tests)
  history: typeof window === 'undefined' ? createMemoryHistory() : createWebHistory(import.meta.env.BASE_URL),
  routes,
  scrollBehavior(to, from, saved) {
    if (saved) return saved
    if (to.hash) return { el: to.hash }
    if (to.path !== from.path) return { top: 0 }
    return undefined
  },
})

router.beforeEach((to) => {
  const q = to.query.lang
  if (isLocale(q)) {
    if (q !== currentLocale()) setLocale(q)
    return true
  }
  // keep a non-default language in the URL so the address stays shareable
  const loc = currentLocale()
  if (loc !== DEFAULT_LOCALE) {
    return { path: to.path, query: { ...to.query, lang: loc }, hash: to.hash }
  }
  return true
})

export default router
