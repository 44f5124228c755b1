import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The preload runs in the sandboxed renderer, where `require` knows only 'electron' (and a few
 * browser-safe shims) and there is no __filename: it is bundled here, for the renderer process,
 * as self-contained CommonJS. The build fails if the bundle would require anything else.
 */
function sandboxedPreload(): Plugin {
  let outfile = 'dist/preload.cjs';
  return {
    name: 'cluster-trust-sandboxed-preload',
    apply: 'build',
    configResolved(config) {
      // Next to the renderer folder: dist/renderer -> dist/preload.cjs (main loads it from there).
      outfile = join(dirname(resolve(config.root, config.build.outDir)), 'preload.cjs');
    },
    async closeBundle() {
      await build({
        entryPoints: ['src-main/preload.ts'],
        outfile,
        bundle: true,
        platform: 'browser',
        format: 'cjs',
        target: 'chrome114',
        external: ['electron'],
        sourcemap: 'linked',
        logLevel: 'warning',
      });
      const required = [...readFileSync(outfile, 'utf8').matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
      const foreign = required.filter((r) => r !== 'electron');
      if (foreign.length) throw new Error(`the sandboxed preload may require only 'electron', not: ${foreign.join(', ')}`);
    },
  };
}

// The renderer is an ordinary Vite app; main and CLI are bundled by scripts/build-main.mjs.
export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [svelte(), sandboxedPreload()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome114',
    sourcemap: true,
    // The CSP allows no inline script or style: every asset must be a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
