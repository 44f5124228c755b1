// Where browsers keep their NSS databases, with the real certutil on a test HOME: Chromium's old and
// new places (both at once), snap and Flatpak, Firefox profiles under ~/.mozilla, XDG_CONFIG_HOME and
// elsewhere through profiles.ini, and a Chromium on PATH that never ran. Nothing of this machine's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trustInstall, trustStatus, trustUninstall, parseTrustedCa, type StoreResult, type TrustOptions } from '../../src-main/truststore/index.ts';
import { cleanup, sh, tempDir } from '../helpers/cli.ts';
import { makeCa, newNssDb } from './helpers.ts';

function nss(results: StoreResult[]): StoreResult {
  assert.equal(results.length, 1, JSON.stringify(results, null, 2));
  return results[0]!;
}

function holds(db: string, label: string): boolean {
  return new RegExp(`${label}\\s+C,,`).test(sh('certutil', ['-L', '-d', `sql:${db}`]));
}

/** A PATH (no real browser on it) with certutil, mkdir and, when given, a fake Chromium-family binary printing `version`. */
function pathWith(dir: string, browser?: { name: string; version: string }): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync('/usr/bin/certutil', join(bin, 'certutil'));
  symlinkSync('/bin/mkdir', join(bin, 'mkdir'));
  if (browser) {
    writeFileSync(join(bin, browser.name), `#!/bin/sh\nprintf '%s\\n' '${browser.version}'\n`);
    chmodSync(join(bin, browser.name), 0o755);
  }
  return bin;
}

test('NSS: Chromium\'s new and old databases (both), snap, Flatpak, and Firefox profiles (~/.mozilla, XDG config, snap, Flatpak, profiles.ini elsewhere, ESR) each get the CA, named by browser; uninstall removes it from all', async () => {
  const ca = await makeCa('NSS Places CA');
  const label = parseTrustedCa(ca.pem).label;
  const dir = tempDir('ct-places-');
  const home = join(dir, 'home');
  const data = join(dir, 'xdg-data');
  const elsewhere = join(dir, 'profiles', 'work');
  const expected = [
    { browser: 'Chromium', path: newNssDb(join(data, 'pki/nssdb')) },
    { browser: 'Chromium', path: newNssDb(join(home, '.pki/nssdb')) },
    { browser: 'Chromium (snap)', path: newNssDb(join(home, 'snap/chromium/current/.local/share/pki/nssdb')) },
    { browser: 'Chromium (Flatpak)', path: newNssDb(join(home, '.var/app/org.chromium.Chromium/data/pki/nssdb')) },
    { browser: 'Firefox profile a1.default-release', path: newNssDb(join(home, '.mozilla/firefox/a1.default-release')) },
    { browser: 'Firefox ESR profile x9.default-esr', path: newNssDb(join(home, '.config/mozilla/firefox/x9.default-esr')) },
    { browser: 'Firefox ESR profile work', path: newNssDb(elsewhere) },
    { browser: 'Firefox (snap) profile s1.default', path: newNssDb(join(home, 'snap/firefox/common/.mozilla/firefox/s1.default')) },
    { browser: 'Firefox (Flatpak) profile f1.default', path: newNssDb(join(home, '.var/app/org.mozilla.firefox/.mozilla/firefox/f1.default')) },
  ];
  // A profile outside the profiles folder, known only from profiles.ini, last run by Debian's firefox-esr.
  writeFileSync(join(home, '.config/mozilla/firefox/profiles.ini'), `[Profile1]\nName=work\nIsRelative=0\nPath=${elsewhere}\n\n[Profile0]\nName=esr\nIsRelative=1\nPath=x9.default-esr\n`);
  writeFileSync(join(elsewhere, 'compatibility.ini'), '[Compatibility]\nLastVersion=153.8.0_20261117185949/20261117185949\nLastPlatformDir=/usr/lib/firefox-esr\n');
  // Not databases: a profile never opened, Firefox's own folders.
  mkdirSync(join(home, '.mozilla/firefox/empty.profile'), { recursive: true });
  mkdirSync(join(home, '.config/mozilla/firefox/Crash Reports'), { recursive: true });
  // HOME and XDG_DATA_HOME from the environment, as the CLI and the app get them.
  const opts: TrustOptions = { stores: ['nss'], processEnv: { PATH: pathWith(dir), HOME: home, XDG_DATA_HOME: data } };
  try {
    const before = nss(await trustStatus(ca.pem, opts));
    assert.equal(before.installed, false);
    assert.deepEqual(before.databases?.map((d) => ({ browser: d.browser, path: d.path })).sort((a, b) => a.path.localeCompare(b.path)), [...expected].sort((a, b) => a.path.localeCompare(b.path)));

    const r = nss(await trustInstall(ca.pem, opts));
    assert.equal(r.error, undefined, r.message);
    assert.match(r.message, /trusted in 9 NSS database/);
    for (const e of expected) assert.ok(holds(e.path, label), e.path);
    const after = nss(await trustStatus(ca.pem, opts));
    assert.equal(after.installed, true, after.message);
    assert.ok(after.databases?.every((d) => d.trusted));

    const removed = nss(await trustUninstall(ca.pem, opts));
    assert.equal(removed.error, undefined, removed.message);
    assert.equal(removed.commands.length, 9);
    for (const e of expected) assert.equal(holds(e.path, label), false, e.path);
  } finally {
    cleanup(dir);
  }
});

test('NSS: a Chrome older than M146 that never ran gets ~/.pki/nssdb; a dry run shows the commands and creates nothing', async () => {
  const ca = await makeCa('NSS Legacy CA');
  const dir = tempDir('ct-legacy-');
  const home = join(dir, 'home');
  mkdirSync(home);
  const opts: TrustOptions = { stores: ['nss'], home, processEnv: { PATH: pathWith(dir, { name: 'google-chrome', version: 'Google Chrome 120.0.6099.71 ' }), HOME: home } };
  const db = join(home, '.pki/nssdb');
  try {
    const status = nss(await trustStatus(ca.pem, opts));
    assert.equal(status.present, true);
    assert.equal(status.installed, false);
    assert.equal(status.message, `Google Chrome 120 is installed but has never run: install creates its database ${db}`);
    assert.deepEqual(status.databases, [{ browser: 'Chromium', path: db, trusted: false, toCreate: true }]);

    const plan = nss(await trustInstall(ca.pem, { ...opts, dryRun: true }));
    assert.deepEqual(plan.commands.slice(0, 3), [['mkdir', '-m', '0700', join(home, '.pki')], ['mkdir', '-m', '0700', db], ['certutil', '-N', '-d', `sql:${db}`, '--empty-password']]);
    assert.equal(existsSync(join(home, '.pki')), false, 'a dry run creates nothing');

    const r = nss(await trustInstall(ca.pem, opts));
    assert.equal(r.error, undefined, r.message);
    assert.match(r.message, /created .*\.pki\/nssdb for Google Chrome 120/);
    assert.ok(holds(db, parseTrustedCa(ca.pem).label));
    assert.equal(nss(await trustStatus(ca.pem, opts)).installed, true);
  } finally {
    cleanup(dir);
  }
});

test('NSS: with no browser database and no Chromium on PATH the store is absent; a Chromium whose --version fails gets today\'s place', async () => {
  const ca = await makeCa('NSS None CA');
  const dir = tempDir('ct-none-');
  const home = join(dir, 'home');
  mkdirSync(home);
  try {
    const none = nss(await trustStatus(ca.pem, { stores: ['nss'], home, processEnv: { PATH: pathWith(dir), HOME: home } }));
    assert.equal(none.present, false);
    assert.match(none.message, /no NSS database found/);
    const bin = join(dir, 'bin');
    writeFileSync(join(bin, 'chromium'), '#!/bin/sh\necho "cannot open display" >&2\nexit 1\n');
    chmodSync(join(bin, 'chromium'), 0o755);
    const unknown = nss(await trustStatus(ca.pem, { stores: ['nss'], home, processEnv: { PATH: bin, HOME: home } }));
    assert.equal(unknown.present, true);
    assert.equal(unknown.message, `chromium is installed but has never run: install creates its database ${join(home, '.local/share/pki/nssdb')}`);
  } finally {
    cleanup(dir);
  }
});
