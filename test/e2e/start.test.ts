/**
 * `npm start`'s launcher (scripts/start.mjs) brings the built app up on the Electron it finds: here,
 * with no downloaded electron binary, the Electron 25 test runtime with this checkout as its app.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, cleanup, tempDir } from '../helpers/cli.ts';
import { GUI_SKIP, launchEnv, withDeadline } from './harness.ts';

describe('npm start', { skip: GUI_SKIP }, () => {
  test('scripts/start.mjs launches the app, which paints its first screen; stopping it cleans up', async () => {
    const scratch = tempDir('ct-start-');
    const before = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('cluster-trust-start-')));
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], {
      cwd: ROOT,
      env: launchEnv(join(scratch, 'vault'), join(scratch, 'profile'), { CLUSTER_TRUST_TRACE_STARTUP: '1', ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const painted = await withDeadline(new Promise<boolean>((resolve) => {
      const onData = (d: Buffer) => {
        out += d.toString();
        if (/cluster-trust: first-frame \d+ bridge=\w+\n/.test(out)) resolve(true);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', () => resolve(false));
    }), 180_000, 'waiting for the first frame').catch((err: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${err.message}\n${out}`);
    });
    assert.equal(painted, true, `the app did not come up:\n${out}`);
    assert.match(out, /first-frame \d+ bridge=yes/, 'the page has its preload bridge');
    // Where the electron package did download its binary, that one is used instead.
    if (!existsSync(join(ROOT, 'node_modules', 'electron', 'path.txt'))) assert.match(out, /using the Electron 25 runtime the tests use/);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    await exited;
    const left = readdirSync(tmpdir()).filter((n) => n.startsWith('cluster-trust-start-') && !before.has(n));
    assert.deepEqual(left, [], 'the private runtime copy is removed');
    assert.ok(!existsSync(join(scratch, 'vault', 'inventory.json')), 'starting writes nothing to the vault');
    cleanup(scratch);
  });
});
