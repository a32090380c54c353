/**
 * The web consoles' build: one multi-page Vite build of the customer portal (web/portal, served at `/`) and the
 * operator console (web/console, served at `/console`) into dist/web, which the API serves (src/api/web-apps.ts).
 * Both pages share their chunks (React, the API client, i18n) under /assets/, named by content hash.
 * Run by scripts/build.mjs (so `npm ci` builds it) or alone with `npm run build:web`.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const EARLY = fileURLToPath(new URL('portal/early.ts', import.meta.url));

/**
 * The portal's early requests (web/portal/early.ts) are an entry of their own, loaded by an `async` module
 * script put first in the portal's head: Vite merges the module scripts it finds in a page into one entry, which
 * would run them only after all the portal's code has loaded and run. The portal's code imports the same file,
 * so the browser runs it once. (Under `vite dev` there is no bundle: the import alone loads it.)
 */
function portalEarlyScript(): Plugin {
  return {
    name: 'tollgate:portal-early-script',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        if (!ctx.bundle || !ctx.filename.endsWith('/portal/index.html')) return [];
        // The chunk that holds early.ts itself: the entry named portal-early is only a facade importing it, since
        // the portal's code imports it too.
        const chunk = Object.values(ctx.bundle).find((c) => c.type === 'chunk' && c.moduleIds.includes(EARLY));
        if (!chunk) throw new Error('web/portal/early.ts is missing from the bundle');
        return [
          {
            tag: 'script',
            attrs: { type: 'module', async: true, crossorigin: true, src: `/${chunk.fileName}` },
            injectTo: 'head-prepend',
          },
        ];
      },
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), portalEarlyScript()],
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
        'portal-early': EARLY,
      },
    },
  },
});
