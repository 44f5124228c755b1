// Bundles the main process and CLI as CommonJS for Electron's and Node's require. Native and Electron
// modules stay external; everything else (our ES module sources included) is inlined. The preload is
// not built here: it runs in the sandbox, without this file's Node banner, and vite.config.ts builds it.
import { build } from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

// The CLI is two files: `cli` (a small entry: help from the manifest, routing) and `cli-main` (every
// command, loaded through V8's code cache only when a command runs).
// The app likewise: `main` (a small loader) runs `main-app` (the main process) through the code cache.
const entries = [
  { in: 'src-main/cli/main.ts', out: 'cli-main' },
  { in: 'src-main/main.ts', out: 'main-app' },
  { in: 'src-main/app/loader.ts', out: 'main' },
  // The compute pool's worker (core/leaf-pool.ts): its own small bundle, evaluated by each worker.
  { in: 'src-main/core/leaf-worker.ts', out: 'leaf-worker' },
].filter((e) => existsSync(e.in));

// Build beside dist/ and rename each file into place, so a CLI started during a rebuild never
// loads a half-written bundle.
mkdirSync('dist', { recursive: true });
const staging = mkdtempSync(join('dist', '.build-'));
try {
  const common = {
    outdir: staging,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // Node 18.15 is what Electron 25 embeds; the output must run there and on current Electron.
    target: 'node18',
    sourcemap: 'linked',
    // The keychain bindings (keytar, @napi-rs/keyring) are native and must load from node_modules. ssh2 is bundled (its JS deps would otherwise
    // have to survive electron-builder's dependency walk); its optional native helpers are loaded
    // in try/catch by ssh2 itself, so leaving them out only selects its JavaScript fallbacks.
    external: ['electron', 'keytar', '@napi-rs/keyring', 'cpu-features', '*.node'],
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  };
  // Hot command groups get a bundle of their own (src-main/cli/groups/<group>.ts), so a frequent
  // read such as `status` compiles a fraction of the code; the rest run from cli-main.
  const groupDir = 'src-main/cli/groups';
  const groups = existsSync(groupDir) ? readdirSync(groupDir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)) : [];
  await build({ ...common, entryPoints: [...entries, ...groups.map((g) => ({ in: `${groupDir}/${g}.ts`, out: `cli-group-${g}` }))] });
  // Help and routing without loading the commands: their words, groups and usage, read from the bundle.
  const { cliManifest } = createRequire(import.meta.url)(resolve(staging, 'cli-main.cjs'));
  writeFileSync(join(staging, 'cli-manifest.json'), `${JSON.stringify({ ...(await cliManifest()), ownBundles: groups })}\n`);
  await build({ ...common, entryPoints: [{ in: 'src-main/cli/index.ts', out: 'cli' }] });
  // ASCII bundles load faster (src-main/cli/code-cache.ts reads them as Latin-1). esbuild escapes
  // non-ASCII text in code but keeps comments as written (zod's carry a few): escaped there too.
  for (const name of readdirSync(staging).filter((n) => n.endsWith('.cjs'))) {
    const file = join(staging, name);
    const text = readFileSync(file, 'utf8');
    if (/[^\x00-\x7f]/.test(text)) writeFileSync(file, text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  }
  // The entry last: a CLI started meanwhile finds either the old pair or the new one.
  const names = readdirSync(staging).sort((a, b) => Number(a.startsWith('cli.cjs')) - Number(b.startsWith('cli.cjs')));
  for (const name of names) renameSync(join(staging, name), join('dist', name));
} finally {
  rmSync(staging, { recursive: true, force: true });
}
