// The browsers of today, for real: Debian's Chromium (headless) and Firefox ESR (headless, over
// WebDriver BiDi) load a page served with a node certificate of our CA. Refused before, loaded after
// one `cluster-trust trust install` with no flags, refused again after `trust uninstall`. The browsers
// run on a test HOME; the CLI runs in a private mount namespace, so the system and Java stores it
// also changes are private copies and this machine's trust store comes out unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StoreResult } from '../../src-main/truststore/index.ts';
import { CLI, cleanup, runCli, tempDir, workspace } from '../helpers/cli.ts';
import { MARKER, chromiumLoad, createFirefoxProfile, firefoxLoad, homeEnv, nodeSite, realStores } from './browsers.ts';

const NAMESPACE_SCRIPT = resolve(import.meta.dirname, 'fixtures', 'trust-namespace.sh');

/** `cluster-trust ARGS --json` as a user whose HOME is `home`, inside a private copy of the system stores. */
async function cliInNamespace(ws: ReturnType<typeof workspace>, home: string, ...args: string[]): Promise<{ rc: number; results: StoreResult[]; err: string }> {
  const out = tempDir('ct-ns-out-');
  try {
    const code = await new Promise<number>((done) => {
      const child = spawn('unshare', ['-m', '--propagation', 'private', 'bash', NAMESPACE_SCRIPT, out, 'cli', process.execPath, CLI, '--home', ws.home, '--passphrase-file', ws.pass, ...args, '--json'], {
        env: { ...process.env, ...homeEnv(home) },
        stdio: 'inherit',
      });
      child.on('close', (c) => done(c ?? -1));
    });
    assert.equal(code, 0, 'the namespace script ran');
    const stdout = readFileSync(join(out, 'cli.out'), 'utf8');
    const err = readFileSync(join(out, 'cli.err'), 'utf8');
    return { rc: Number(readFileSync(join(out, 'cli.rc'), 'utf8')), results: JSON.parse(stdout) as StoreResult[], err };
  } finally {
    cleanup(out);
  }
}

function nssRow(results: StoreResult[]): StoreResult {
  const row = results.find((r) => r.kind === 'nss');
  assert.ok(row, JSON.stringify(results, null, 2));
  return row;
}

function noErrors(results: StoreResult[]): void {
  for (const r of results) assert.equal(r.error, undefined, `${r.store}: ${r.message}`);
}

test('Chromium (run once) and a Firefox ESR profile: refused, loaded after one `trust install` with no flags, refused after `trust uninstall`', async () => {
  const real = realStores();
  const site = await nodeSite(workspace());
  const home = tempDir('ct-browser-home-');
  const chromiumDb = join(home, '.local/share/pki/nssdb');
  try {
    // Before: Chromium's first run makes its database (the new XDG place) and refuses the page.
    const chromiumBefore = await chromiumLoad(home, site.url, MARKER);
    assert.equal(chromiumBefore.loaded, false, chromiumBefore.detail);
    assert.match(chromiumBefore.detail, /ERR_CERT_AUTHORITY_INVALID/);
    assert.ok(existsSync(join(chromiumDb, 'cert9.db')), 'Chromium 146+ keeps its NSS database in XDG_DATA_HOME/pki/nssdb');
    assert.equal(existsSync(join(home, '.pki')), false, 'and no longer makes ~/.pki');
    const profile = await createFirefoxProfile(home, 'esr-test');
    const firefoxBefore = await firefoxLoad(home, profile, site.url, MARKER);
    assert.equal(firefoxBefore.loaded, false, firefoxBefore.detail);
    assert.match(firefoxBefore.detail, /SEC_ERROR_UNKNOWN_ISSUER/);
    assert.ok(existsSync(join(profile, 'cert9.db')), 'the profile has its database after its first run');

    // One install with no flags: every store found, the browsers' databases among them.
    const installed = await cliInNamespace(site.ws, home, 'trust', 'install');
    assert.equal(installed.rc, 0, installed.err);
    noErrors(installed.results);
    const chromiumAfter = await chromiumLoad(home, site.url, MARKER);
    assert.equal(chromiumAfter.loaded, true, `trust install reported success (${installed.results.map((r) => `${r.store}: ${r.message}`).join('; ')}) but Chromium: ${chromiumAfter.detail}`);
    const firefoxAfter = await firefoxLoad(home, profile, site.url, MARKER);
    assert.equal(firefoxAfter.loaded, true, `Firefox ESR: ${firefoxAfter.detail}`);
    assert.equal(nssRow(installed.results).changed, true);

    // Status names each database with its browser.
    const status = runCli(['--home', site.ws.home, 'trust', 'status', '--store', 'nss', '--json'], homeEnv(home));
    assert.equal(status.code, 0, status.stderr);
    const row = nssRow(JSON.parse(status.stdout) as StoreResult[]);
    assert.equal(row.installed, true, row.message);
    assert.deepEqual(row.databases, [
      { browser: 'Chromium', path: chromiumDb, trusted: true },
      { browser: `Firefox ESR profile ${profile.split('/').pop()}`, path: profile, trusted: true },
    ]);
    const human = runCli(['--home', site.ws.home, 'trust', 'status'], homeEnv(home));
    assert.match(human.stdout, /Chromium: ~\/\.local\/share\/pki\/nssdb\s+trusted/);
    assert.match(human.stdout, new RegExp(`Firefox ESR profile ${profile.split('/').pop()!.replace('.', '\\.')}: ~/\\.config/mozilla/firefox/\\S+\\s+trusted`));

    // Uninstall: both refuse again.
    const removed = await cliInNamespace(site.ws, home, 'trust', 'uninstall');
    assert.equal(removed.rc, 0, removed.err);
    noErrors(removed.results);
    assert.equal(nssRow(removed.results).changed, true);
    const chromiumRemoved = await chromiumLoad(home, site.url, MARKER);
    assert.equal(chromiumRemoved.loaded, false, chromiumRemoved.detail);
    assert.match(chromiumRemoved.detail, /ERR_CERT_AUTHORITY_INVALID/);
    const firefoxRemoved = await firefoxLoad(home, profile, site.url, MARKER);
    assert.equal(firefoxRemoved.loaded, false, firefoxRemoved.detail);
    assert.match(firefoxRemoved.detail, /SEC_ERROR_UNKNOWN_ISSUER/);
  } finally {
    await site.close();
    cleanup(home, site.ws.dir);
  }
  assert.deepEqual(realStores(), real, 'this machine\'s trust stores are unchanged');
});

test('Chromium installed but never run: `trust install` creates its database (folders 0700), its first run loads the page; uninstall refuses it again', async () => {
  const real = realStores();
  const site = await nodeSite(workspace());
  const home = tempDir('ct-browser-home-');
  const chromiumDb = join(home, '.local/share/pki/nssdb');
  try {
    const status = runCli(['--home', site.ws.home, 'trust', 'status', '--store', 'nss', '--json'], homeEnv(home));
    const before = nssRow(JSON.parse(status.stdout) as StoreResult[]);
    assert.equal(existsSync(join(home, '.local')), false);

    const installed = await cliInNamespace(site.ws, home, 'trust', 'install');
    assert.equal(installed.rc, 0, installed.err);
    noErrors(installed.results);
    const first = await chromiumLoad(home, site.url, MARKER);
    assert.equal(first.loaded, true, `trust install reported success (${installed.results.map((r) => `${r.store}: ${r.message}`).join('; ')}) but Chromium: ${first.detail}`);
    // Status before the install said what it would do.
    assert.equal(before.installed, false);
    assert.match(before.message, /Chromium \d+ .*never run.*install creates .*\.local\/share\/pki\/nssdb/);
    const nss = nssRow(installed.results);
    assert.equal(nss.changed, true, nss.message);
    assert.ok(nss.commands.some((c) => c.join(' ') === `certutil -N -d sql:${chromiumDb} --empty-password`), JSON.stringify(nss.commands));
    for (const dir of ['.local', '.local/share', '.local/share/pki', '.local/share/pki/nssdb']) {
      assert.equal(statSync(join(home, dir)).mode & 0o777, 0o700, dir);
    }

    const removed = await cliInNamespace(site.ws, home, 'trust', 'uninstall');
    assert.equal(removed.rc, 0, removed.err);
    const again = await chromiumLoad(home, site.url, MARKER);
    assert.equal(again.loaded, false, again.detail);
    assert.match(again.detail, /ERR_CERT_AUTHORITY_INVALID/);
  } finally {
    await site.close();
    cleanup(home, site.ws.dir);
  }
  assert.deepEqual(realStores(), real, 'this machine\'s trust stores are unchanged');
});
