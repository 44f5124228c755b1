// CLI start-up: help comes from the build's manifest without loading the command bundle, the command
// bundle loads through V8's code cache kept in the user's private cache folder, and a cache folder
// others could write is never used.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, cleanup, runCli, tempDir } from '../helpers/cli.ts';
import { ok } from './helpers.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

test('help is the manifest the build wrote from the commands themselves, and names every command', async () => {
  const help = runCli(['help']);
  assert.equal(help.code, 0);
  const manifest = JSON.parse(readFileSync(join(ROOT, 'dist', 'cli-manifest.json'), 'utf8')) as { usage: string; commands: Array<{ words: string[]; group: string }> };
  assert.equal(help.stdout, `${manifest.usage}\n`);
  for (const c of manifest.commands) assert.ok(help.stdout.includes(`  ${c.words.join(' ')}`), c.words.join(' '));
  assert.ok(manifest.commands.some((c) => c.words.join(' ') === 'node list' && c.group === 'node'));
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
