// Two builds from one config:
// - `vite build` (mode "production"): index.html → dist/, the bundle the Tauri shell loads.
// - `vite build --mode harness`: harness.html → dist-harness/, the same app with Tauri's IPC
//   mocked (src/harness/), for the browser tests only. Nothing under src/harness/ is
//   reachable from index.html, so the mocks never enter dist/.
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

// The built harness runs under a Content-Security-Policy as strict as the Tauri window's
// can be (no inline scripts or styles): a violation is a console error, which fails the
// browser tests. Not in dev, where Vite injects styles inline.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'";

function strictCsp(): Plugin {
  return {
    name: 'outpost-strict-csp',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' },
    ],
  };
}

export default defineConfig(({ mode }) => {
  const harness = mode === 'harness';
  return {
    plugins: [svelte(), ...(harness ? [strictCsp()] : [])],
    resolve: { alias: { $lib: resolve(import.meta.dirname, 'src/lib') } },
    clearScreen: false,
    // Tauri's devUrl points here; the port must not drift.
    server: { host: '127.0.0.1', port: 5173, strictPort: true },
    preview: { host: '127.0.0.1', port: 4179, strictPort: true },
    build: {
      outDir: harness ? 'dist-harness' : 'dist',
      emptyOutDir: true,
      // WebKitGTK 2.40+/WKWebView (Safari 16) and WebView2 (Chromium) all run ES2022.
      target: ['es2022', 'safari16'],
      sourcemap: harness,
      rollupOptions: {
        input: resolve(import.meta.dirname, harness ? 'harness.html' : 'index.html'),
      },
    },
  };
});
