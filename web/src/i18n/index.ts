// Merges every ./<name>.ts (each `export default { zh: { <name>: {...} }, en: { <name>: {...} } }`)
// into one vue-i18n instance (Composition API, legacy: false). Chinese first.
//
// Locale: `?lang=zh|en` in the URL (kept in the URL by the router so links are shareable),
// else the last choice (localStorage), else zh. Switch with `setLocale()`; the header's
// <LangSwitch> also rewrites the URL.
import { createI18n } from 'vue-i18n'

export const LOCALES = ['zh', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh'
const STORAGE_KEY = 'tanji.lang'

type Messages = Record<string, unknown>
type LocaleFile = { default: Partial<Record<Locale, Messages>> }

const modules = import.meta.glob<LocaleFile>(['./*.ts', '!./index.ts', '!./*.test.ts'], { eager: true })

function isObject(x: unknown): x is Messages {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function deepMerge(into: Messages, from: Messages): Messages {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k]
    if (isObject(cur) && isObject(v)) deepMerge(cur, v)
    else into[k] = v
  }
  return into
}

const messages: Record<Locale, Messages> = { zh: {}, en: {} }
for (const path of Object.keys(modules).sort()) {
  const mod = modules[path]?.default
  if (!mod) continue
  for (const loc of LOCALES) {
    const m = mod[loc]
    if (isObject(m)) deepMerge(messages[loc], m)
  }
}

export function isLocale(x: unknown): x is Locale {
  return typeof x === 'string' && (LOCALES as readonly string[]).includes(x)
}

function initialLocale(): Locale {
  if (typeof window === 'undefined') return DEFAULT_LOCALE
  const q = new URLSearchParams(window.location.search).get('lang')
  if (isLocale(q)) return q
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY)
    if (isLocale(saved)) return saved
  } catch {
    /* storage unavailable */
  }
  return DEFAULT_LOCALE
}

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initialLocale(),
  fallbackLocale: 'zh',
  messages: messages as Record<Locale, Record<string, never>>,
  missingWarn: false,
  fallbackWarn: false,
})

export function currentLocale(): Locale {
  const l = i18n.global.locale.value
  return isLocale(l) ? l : DEFAULT_LOCALE
}

/** Sets the locale (does not touch the URL; use the router / <LangSwitch> for that). */
export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  if (typeof document !== 'undefined') {
    document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en'
  }
  try {
    window.localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    /* storage unavailable */
  }
}

setLocale(currentLocale())

export default i18n
