/**
 * electron-builder packs the unpacked Linux app from electron-builder.yml, offline, on top of the
 * Electron 25 test runtime; the packaged binary (asar, fuses, keytar unpacked) is then launched and
 * driven over the DevTools protocol (cdp.ts: its fuses forbid --inspect, which Playwright's
 * _electron needs).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinModules } from 'node:module';
import { connectPage, listTargets, type CdpPage } from './cdp.ts';
import { APP_INDEX_URL } from '../../src-main/ipc/origin.ts';
import { ROOT, cleanup, shResult, tempDir } from '../helpers/cli.ts';
import { DIST, GUI_SKIP, RUNTIME_DIR, SCREENSHOTS, launchEnv, withDeadline } from './harness.ts';
import { apiKeys } from '../../src-main/ipc/contract.ts';

describe('packaged app (electron-builder --dir)', { skip: GUI_SKIP }, () => {
  let out: string;
  let unpacked: string;
  let app: ChildProcess | null = null;
  let page: CdpPage | null = null;

  let project: string;

  before(() => {
    out = tempDir('ct-builder-');
    // A snapshot of the project as electron-builder sees it, so a rebuild elsewhere during the
    // minute it packs cannot change what is under test.
    project = join(out, 'project');
    mkdirSync(join(project, 'src-renderer'), { recursive: true });
    for (const f of ['package.json', 'package-lock.json', 'electron-builder.yml']) copyFileSync(join(ROOT, f), join(project, f));
    cpSync(join(ROOT, 'bin'), join(project, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'src-renderer', 'public'), join(project, 'src-renderer', 'public'), { recursive: true });
    cpSync(DIST, join(project, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
    // A real tree (hard links, cheap): through a symlink, electron-builder misses dependencies of
    // dependencies (ssh2's asn1 and bcrypt-pbkdf) and the packaged app dies on start.
    const linked = spawnSync('cp', ['-al', join(ROOT, 'node_modules'), join(project, 'node_modules')]);
    if (linked.status !== 0) cpSync(join(ROOT, 'node_modules'), join(project, 'node_modules'), { recursive: true, verbatimSymlinks: true });
    const preload = readFileSync(join(project, 'dist', 'preload.cjs'), 'utf8');
    assert.doesNotMatch(preload, /__filename/, `${DIST}/preload.cjs must be the sandbox build (npm run build:renderer)`);
  });
  after(async () => {
    page?.close();
    app?.kill('SIGKILL');
    if (!process.env.CT_KEEP) cleanup(out);
  });

  test('electron-builder packs the unpacked Linux app offline, on the test runtime', () => {
    const runtime = RUNTIME_DIR!;
    const r = spawnSync(
      'npx',
      ['--no-install', 'electron-builder', '--dir', '--linux', '--config', 'electron-builder.yml', `-c.electronDist=${runtime}`, '-c.electronVersion=25.1.1', `-c.directories.output=${out}`],
      { cwd: project, encoding: 'utf8', timeout: 15 * 60_000, env: { ...process.env, ELECTRON_BUILDER_OFFLINE: '1', CSC_IDENTITY_AUTO_DISCOVERY: 'false' } },
    );
    assert.equal(r.status, 0, `electron-builder failed:\n${r.stdout}\n${r.stderr}`);
    unpacked = join(out, 'linux-unpacked');
    assert.ok(existsSync(join(unpacked, 'cluster-trust')), 'the executable is named cluster-trust');
    assert.ok(existsSync(join(unpacked, 'resources', 'app.asar')), 'the app is in an asar');
    assert.ok(existsSync(join(unpacked, 'resources', 'app.asar.unpacked', 'node_modules', 'keytar', 'build', 'Release', 'keytar.node')), 'keytar\'s native module is outside the asar');
    assert.ok(existsSync(join(unpacked, 'resources', 'app.asar.unpacked', 'node_modules', '@napi-rs', 'keyring-linux-x64-gnu', 'keyring.linux-x64-gnu.node')), '@napi-rs/keyring\'s native module is outside the asar');
    // Every package the main bundles leave external (keytar...) must be in the asar, or the app dies on start.
    const listing = shResult('npx', ['--no-install', '@electron/asar', 'list', join(unpacked, 'resources', 'app.asar')]).stdout;
    assert.match(listing, /^\/dist\/main-app\.cjs$/m, 'the main process bundle that the loader (main.cjs) runs is packaged');
    const main = ['main.cjs', 'main-app.cjs'].map((f) => readFileSync(join(project, 'dist', f), 'utf8')).join('\n');
    const external = new Set([...main.matchAll(/\brequire\("([^".][^"]*)"\)/g)].map((m) => m[1]!.split('/').slice(0, m[1]!.startsWith('@') ? 2 : 1).join('/')));
    for (const name of external) {
      if (name === 'electron' || name.startsWith('node:') || builtinModules.includes(name)) continue;
      assert.match(listing, new RegExp(`^/node_modules/${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/package\\.json$`, 'm'), `${name} (required by the main bundles) is packaged`);
    }
  });

  test('the packaged binary has its fuses set (no run-as-node, no NODE_OPTIONS, no --inspect, asar only)', () => {
    const r = shResult('npx', ['--no-install', '@electron/fuses', 'read', '--app', join(unpacked, 'cluster-trust')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /RunAsNode is Disabled/);
    assert.match(r.stdout, /EnableNodeOptionsEnvironmentVariable is Disabled/);
    assert.match(r.stdout, /EnableNodeCliInspectArguments is Disabled/);
    assert.match(r.stdout, /OnlyLoadAppFromAsar is Enabled/);
    assert.match(r.stdout, /EnableCookieEncryption is Enabled/);
  });

  test('the packaged app starts, shows its first screen, and creates a CA with its passphrase in the keychain', async () => {
    const scratch = join(out, 'run');
    const home = join(scratch, 'vault');
    app = spawn(join(unpacked, 'cluster-trust'), ['--no-sandbox', '--remote-debugging-port=0'], { env: launchEnv(home, join(scratch, 'profile')), stdio: ['ignore', 'pipe', 'pipe'] });
    const port = await new Promise<number>((resolve, reject) => {
      let seen = '';
      const onData = (d: Buffer) => {
        seen += d.toString();
        const m = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(seen);
        if (m) resolve(Number(m[1]));
      };
      app!.stderr!.on('data', onData);
      app!.stdout!.on('data', onData);
      app!.on('exit', (code, signal) => reject(new Error(`the packaged app exited (${code ?? signal}) before opening DevTools:\n${seen}`)));
    });
    // Bounded waits below turn "the app never showed its page" into a failure, not a hung run.
    const giveUp = Date.now() + 120_000;
    const stillWaiting = (what: string) => {
      if (Date.now() > giveUp) throw new Error(`the packaged app never ${what} (two minutes)`);
    };
    let target: { webSocketDebuggerUrl: string } | undefined;
    while (!target) {
      stillWaiting('opened its window on app://cluster-trust/');
      target = (await listTargets(port)).find((t) => t.type === 'page' && t.url === APP_INDEX_URL);
      if (!target) await new Promise((r) => setTimeout(r, 100));
    }
    page = await connectPage(target.webSocketDebuggerUrl);
    const waitFor = async (selector: string): Promise<void> => {
      for (;;) {
        stillWaiting(`showed ${selector}`);
        try {
          // Each probe waits up to 5 s inside the page, then the loop checks the deadline.
          const found = await page!.evaluate<boolean>(`new Promise((done) => { const end = Date.now() + 5000; const poll = () => document.querySelector(${JSON.stringify(selector)}) ? done(true) : Date.now() > end ? done(false) : setTimeout(poll, 50); poll(); })`);
          if (found) return;
        } catch (err) {
          // The document may still be replacing the initial one: ask the new one.
          if (!/context was destroyed|Cannot find context/.test((err as Error).message)) throw err;
        }
      }
    };
    await waitFor('[data-app-ready]');
    const keys = await page.evaluate<string[]>('Object.keys(window.api)');
    assert.deepEqual(keys.sort(), apiKeys().sort(), 'the preload (from the asar) exposes the contract');
    const shot = await page.send<{ data: string }>('Page.captureScreenshot', { format: 'png' });
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(join(SCREENSHOTS, '00-packaged-first-run.png'), Buffer.from(shot.data, 'base64'));
    // Type the name and press Create, as a user would.
    await page.evaluate(`(() => {
      const input = document.querySelector('#ca-name');
      input.value = 'Packaged CA';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      return new Promise((done) => setTimeout(() => {
        [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Create CA').click();
        done(true);
      }, 50));
    })()`);
    await waitFor('[data-testid=ca-created]');
    const inv = JSON.parse(readFileSync(join(home, 'inventory.json'), 'utf8')) as { cas: Array<{ fingerprint: string; passphraseIn: string; name: string }> };
    assert.equal(inv.cas[0]!.name, 'Packaged CA');
    assert.equal(inv.cas[0]!.passphraseIn, 'keychain');
    const secret = shResult('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', `ca-${inv.cas[0]!.fingerprint}`]);
    assert.equal(secret.code, 0, 'keytar (unpacked from the asar) stored the passphrase');
  });

  test('the packaged app ignores --inspect (fuse): it starts with no Node debugger', async () => {
    const probe = spawn(join(unpacked, 'cluster-trust'), ['--no-sandbox', '--inspect=0'], {
      env: launchEnv(join(out, 'probe-vault'), join(out, 'probe'), { CLUSTER_TRUST_TRACE_STARTUP: '1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The startup trace prints once the first screen is painted; a debugger would have announced itself long before.
    const seen = await withDeadline(new Promise<string>((resolve) => {
      let text = '';
      const onData = (d: Buffer) => {
        text += d.toString();
        if (/cluster-trust: first-frame \d+ bridge=\w+\n/.test(text)) resolve(text);
      };
      probe.stderr!.on('data', onData);
      probe.stdout!.on('data', onData);
      probe.on('exit', () => resolve(text));
    }), 180_000, 'waiting for the packaged app\'s first frame').finally(() => probe.kill('SIGKILL'));
    assert.match(seen, /cluster-trust: first-frame \d+ bridge=yes/);
    assert.doesNotMatch(seen, /Debugger listening/);
  });
});
