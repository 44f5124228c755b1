// CLI start-up: help comes from the build's manifest without loading the command bundle, the command
// bundle loads through V8's code cache kept in the user's private cache folder, and a cache folder
// others could write is never used.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAscii } from 'node:buffer';
import { ROOT, cleanup, runCli, tempDir } from '../helpers/cli.ts';
import { ok } from './helpers.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

test('help is the manifest the build wrote from the commands themselves, and names every command', async () => {
  const help = runCli(['help']);
  assert.equal(help.code, 0);
  const manifest = JSON.parse(readFileSync(join(ROOT, 'dist', 'cli-manifest.json'), 'utf8')) as { usage: string; commands: Array<{ words: string[]; group: string }>; ownBundles: string[] };
  assert.equal(help.stdout, `${manifest.usage}\n`);
  for (const c of manifest.commands) assert.ok(help.stdout.includes(`  ${c.words.join(' ')}`), c.words.join(' '));
  assert.ok(manifest.commands.some((c) => c.words.join(' ') === 'node list' && c.group === 'nodeView'));
  // The frequent reads have bundles of their own, a fraction of the whole command bundle.
  assert.deepEqual([...manifest.ownBundles].sort(), ['nodeView', 'status']);
  for (const g of manifest.ownBundles) assert.ok(statSync(join(ROOT, 'dist', `cli-group-${g}.cjs`)).size < statSync(join(ROOT, 'dist', 'cli-main.cjs')).size / 2, g);
  // A command's own --help is answered by its group, loaded alone.
  const own = runCli(['node', 'list', '--help']);
  assert.equal(own.code, 0);
  assert.match(own.stdout, /^usage: cluster-trust node list\n/);
});

test('the command bundle is compiled once into a private cache, then loaded from it with the same results', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const env = { XDG_CACHE_HOME: join(dir, 'cache') };
  const home = join(dir, 'home');
  const first = runCli(['--home', home, '--json', 'node', 'list'], env);
  assert.deepEqual(ok(first), []);
  const cacheDir = join(dir, 'cache', 'cluster-trust', 'v8');
  const files = readdirSync(cacheDir);
  assert.equal(files.length, 1, `one cache file: ${files.join(', ')}`);
  const second = runCli(['--home', home, '--json', 'node', 'list'], env);
  assert.deepEqual(ok(second), []);
  assert.deepEqual(readdirSync(cacheDir), files, 'an accepted cache is not rewritten');
});

test('every bundle the code cache loads is ASCII, so it takes the one-byte (Latin-1) path', () => {
  const bundles = readdirSync(join(ROOT, 'dist')).filter((f) => f.endsWith('.cjs'));
  assert.ok(bundles.includes('main-app.cjs') && bundles.includes('cli-main.cjs'), bundles.join(', '));
  for (const f of bundles) assert.ok(isAscii(readFileSync(join(ROOT, 'dist', f))), `${f} has non-ASCII bytes`);
});

test('each command group keeps a cache of its own, written once as its first run ends', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const env = { XDG_CACHE_HOME: join(dir, 'cache') };
  const home = join(dir, 'home');
  const cacheDir = join(dir, 'cache', 'cluster-trust', 'v8');
  const caches = () => readdirSync(cacheDir).sort();
  ok(runCli(['--home', home, '--json', 'node', 'add', 'n1', '--ip', '10.0.0.1'], env));
  const afterAdd = caches();
  assert.equal(afterAdd.length, 1);
  const added = statSync(join(cacheDir, afterAdd[0]!));
  // Another group of the same bundle: a second file; the first is left as it was.
  ok(runCli(['--home', home, '--json', 'profile', 'list'], env));
  const all = caches();
  assert.equal(all.length, 2, `a cache per group: ${all.join(', ')}`);
  assert.equal(statSync(join(cacheDir, afterAdd[0]!)).mtimeMs, added.mtimeMs, 'an accepted cache is not rewritten by another group');
  ok(runCli(['--home', home, '--json', 'node', 'add', 'n2', '--ip', '10.0.0.2'], env));
  assert.deepEqual(caches(), all, 'a second run of a group writes nothing');
});

test('old caches (other builds) are dropped, oldest first, when a new one is written; 24 stay', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const cacheDir = join(dir, 'cache', 'cluster-trust', 'v8');
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const stale = Array.from({ length: 30 }, (_, i) => join(cacheDir, `old-${String(i).padStart(2, '0')}.v8`));
  stale.forEach((f, i) => {
    writeFileSync(f, 'stale', { mode: 0o600 });
    utimesSync(f, 1_000_000 + i, 1_000_000 + i); // old-29 the newest
  });
  writeFileSync(join(cacheDir, 'notes.txt'), 'not a cache');
  ok(runCli(['--home', join(dir, 'home'), '--json', 'node', 'list'], { XDG_CACHE_HOME: join(dir, 'cache') }));
  const left = readdirSync(cacheDir).sort();
  assert.equal(left.filter((f) => f.endsWith('.v8')).length, 24);
  assert.deepEqual(left.filter((f) => f.startsWith('old-')), stale.slice(7).map((f) => f.slice(cacheDir.length + 1)), 'the 23 newest old ones stay');
  assert.ok(left.includes('notes.txt'), 'only cache files are touched');
});

test('a cache folder that others can write is ignored: nothing is read from or written to it', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const cacheDir = join(dir, 'cache', 'cluster-trust', 'v8');
  mkdirSync(cacheDir, { recursive: true });
  chmodSync(cacheDir, 0o777);
  const run = runCli(['--home', join(dir, 'home'), '--json', 'node', 'list'], { XDG_CACHE_HOME: join(dir, 'cache') });
  assert.deepEqual(ok(run), []);
  assert.deepEqual(readdirSync(cacheDir), []);
});
