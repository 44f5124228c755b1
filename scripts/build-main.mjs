// Bundles the main process, preload and CLI as CommonJS for Electron's and Node's require. Native and
// Electron modules stay external; everything else (our ES module sources included) is inlined.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = [
  { in: 'src-main/cli/index.ts', out: 'cli' },
  { in: 'src-main/main.ts', out: 'main' },
  { in: 'src-main/preload.ts', out: 'preload' },
].filter((e) => existsSync(e.in));

await build({
  entryPoints: entries,
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // Node 18.15 is what Electron 25 embeds; the output must run there and on current Electron.
  target: 'node18',
  sourcemap: 'linked',
  external: ['electron', 'keytar', 'ssh2', 'cpu-features'],
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
