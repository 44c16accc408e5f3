/// <reference types="vitest/config" />
// The platform is built into `dist/`, which `tanji-node` embeds and serves at
// `/` (history-mode URLs fall back to index.html). No asset is fetched from a
// CDN: everything the page needs is in the bundle, so it works on a closed network.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// (no @types/node in the project: declare the one Node global used here)
declare const process: { env: Record<string, string | undefined> }

// `npm run dev` proxies the API to a running node: TANJI_NODE=http://127.0.0.1:PORT
const node = process.env.TANJI_NODE ?? 'http://127.0.0.1:7410'

export default defineConfig({
  plugins: [vue()],
  base: '/',
  // vue-i18n feature flags: Composition API only (smaller bundle), no devtools in production
  define: {
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/v1': node,
      '/openapi.json': node,
      '/health': node,
      '/verify': node,
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
