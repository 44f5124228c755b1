/**
 * The app's main bundle loads through V8's code cache (dist/main.cjs is a small loader for
 * dist/main-app.cjs): the first start writes one cache file into the user's private cache folder,
 * the next start loads from it (and does not rewrite it), and the app works either way.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, tempDir } from '../helpers/cli.ts';
import { GUI_SKIP, launchApp } from './harness.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

describe('app start through the code cache', { skip: GUI_SKIP }, () => {
  test('the first start writes the cache, the second loads from it unchanged', async () => {
    const dir = tempDir('ct-app-cache-');
    dirs.push(dir);
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    const cacheDir = join(dir, 'cache', 'cluster-trust', 'v8');
    const first = await launchApp({ home: join(dir, 'vault'), env });
    await first.page.locator('[data-app-ready]').waitFor();
    await first.close();
    const files = readdirSync(cacheDir).filter((f) => f.endsWith('.v8'));
    assert.equal(files.length, 1, `one cache file for the main bundle: ${readdirSync(cacheDir).join(', ')}`);
    const file = join(cacheDir, files[0]!);
    assert.ok(statSync(file).size > 100_000, 'the cache holds the compiled bundle');
    assert.equal(statSync(file).mode & 0o077, 0, 'private to its user');
    const written = statSync(file).mtimeMs;

    const second = await launchApp({ home: join(dir, 'vault'), env });
    await second.page.locator('[data-app-ready]').waitFor();
    // The same first screen (a fresh vault: first run), from the cached code.
    await second.page.locator('.first-run').waitFor();
    await second.close();
    assert.deepEqual(readdirSync(cacheDir).filter((f) => f.endsWith('.v8')), files);
    assert.equal(statSync(file).mtimeMs, written, 'an accepted cache is not rewritten');
  });
});
