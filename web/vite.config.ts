/**
 * The web consoles' build: one multi-page Vite build of the customer portal (web/portal, served at `/`) and the
 * operator console (web/console, served at `/console`) into dist/web, which the API serves (src/api/web-apps.ts).
 * Both pages share their chunks (React, the API client, i18n) under /assets/, named by content hash.
 * Run by scripts/build.mjs (so `npm ci` builds it) or alone with `npm run build:web`.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  // Nothing from the environment reaches the bundle but what is named VITE_*; there is none today.
  envDir: false,
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // The CSP allows scripts from 'self' only: no inlined module preload polyfill.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rollupOptions: {
      input: {
        portal: fileURLToPath(new URL('portal/index.html', import.meta.url)),
        console: fileURLToPath(new URL('console/index.html', import.meta.url)),
      },
    },
  },
});
