// NSS and Java stores with the real tools: certutil (libnss3-tools) on temporary NSS databases, and
// keytool (default-jre-headless) on a temporary copy of a keystore. Nothing of this machine's stores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trustInstall, trustStatus, trustUninstall, parseTrustedCa, type StoreResult, type TrustOptions } from '../../src-main/truststore/index.ts';
import { cleanup, runCli, sh, shResult, tempDir, workspace } from '../helpers/cli.ts';
import { makeCa, newNssDb, sha256File } from './helpers.ts';

function only(results: StoreResult[]): StoreResult {
  assert.equal(results.length, 1, JSON.stringify(results, null, 2));
  return results[0]!;
}

function listNss(db: string): string {
  return sh('certutil', ['-L', '-d', `sql:${db}`]);
}

test('NSS: every Firefox profile and ~/.pki/nssdb found under HOME; install, status, twice no-op, uninstall (real certutil)', async () => {
  const ca = await makeCa('NSS Test CA');
  const label = parseTrustedCa(ca.pem).label;
  const home = tempDir('ct-home-');
  const chromium = newNssDb(join(home, '.pki/nssdb'));
  const firefox = newNssDb(join(home, '.mozilla/firefox/abcd1234.default-release'));
  // A profile folder Firefox never opened has no cert9.db: it is not a database.
  mkdirSync(join(home, '.mozilla/firefox/empty.profile'), { recursive: true });
  const opts: TrustOptions = { home, stores: ['nss'] };
  try {
    const status = only(await trustStatus(ca.pem, opts));
    assert.equal(status.present, true);
    assert.equal(status.installed, false);

    const r = only(await trustInstall(ca.pem, opts));
    assert.equal(r.error, undefined, r.message);
    assert.equal(r.changed, true);
    assert.equal(r.elevated, false, 'the user\'s own databases need no administrator');
    assert.equal(r.commands.length, 2);
    for (const [i, db] of [chromium, firefox].entries()) {
      assert.deepEqual(r.commands[i]!.slice(0, 8), ['certutil', '-A', '-d', `sql:${db}`, '-t', 'C,,', '-n', label]);
      assert.match(listNss(db), new RegExp(`${label}\\s+C,,`));
    }

    const s2 = only(await trustStatus(ca.pem, opts));
    assert.equal(s2.installed, true);
    assert.deepEqual(s2.locations, [chromium, firefox]);

    const again = only(await trustInstall(ca.pem, opts));
    assert.equal(again.changed, false);
    assert.match(again.message, /already trusted/);
    assert.deepEqual(again.commands, []);

    const removed = only(await trustUninstall(ca.pem, opts));
    assert.equal(removed.error, undefined, removed.message);
    assert.deepEqual(removed.commands, [['certutil', '-D', '-d', `sql:${chromium}`, '-n', label], ['certutil', '-D', '-d', `sql:${firefox}`, '-n', label]]);
    assert.doesNotMatch(listNss(chromium), new RegExp(label));
    assert.match(only(await trustUninstall(ca.pem, opts)).message, /not present/);
  } finally {
    cleanup(home);
  }
});

test('NSS: our CA is matched by fingerprint, not nickname: under another name it counts (and trust is fixed), a stranger under our name does not', async () => {
  const ca = await makeCa('NSS Finger CA');
  const other = await makeCa('NSS Finger CA');
  const label = parseTrustedCa(ca.pem).label;
  const dir = tempDir('ct-nss-');
  const db = newNssDb(join(dir, 'db'));
  writeFileSync(join(dir, 'ca.pem'), ca.pem);
  writeFileSync(join(dir, 'other.pem'), other.pem);
  const opts: TrustOptions = { nssDbs: [db], stores: ['nss'] };
  try {
    // Our CA imported by hand, untrusted, under a name of the user's choosing.
    sh('certutil', ['-A', '-d', `sql:${db}`, '-n', 'hand imported', '-t', ',,', '-i', join(dir, 'ca.pem')]);
    assert.equal(only(await trustStatus(ca.pem, opts)).installed, false);
    const fixed = only(await trustInstall(ca.pem, opts));
    assert.deepEqual(fixed.commands, [['certutil', '-M', '-d', `sql:${db}`, '-n', 'hand imported', '-t', 'C,,']]);
    assert.equal(only(await trustStatus(ca.pem, opts)).installed, true);
    // Another CA with the same name is not ours.
    assert.equal(only(await trustStatus(other.pem, opts)).installed, false);
    const removed = only(await trustUninstall(ca.pem, opts));
    assert.deepEqual(removed.commands, [['certutil', '-D', '-d', `sql:${db}`, '-n', 'hand imported']]);
    assert.doesNotMatch(listNss(db), /hand imported/);
    assert.ok(label.startsWith('cluster-trust-nss-finger-ca-'));
  } finally {
    cleanup(dir);
  }
});

test('NSS: a broken database makes certutil fail, and its stderr reaches the user', async () => {
  const ca = await makeCa();
  const dir = tempDir('ct-nss-');
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'db', 'cert9.db'), 'this is not an sqlite database');
  try {
    const r = only(await trustInstall(ca.pem, { nssDbs: [join(dir, 'db')], stores: ['nss'] }));
    assert.equal(r.error?.code, 'tool-failed');
    assert.match(r.message, /certutil -L -d sql:/);
    assert.match(r.message, /SEC_ERROR|security library/);
  } finally {
    cleanup(dir);
  }
});

test('Java: keytool on a copy of the JDK keystore; install, twice no-op, status, uninstall; the real cacerts is untouched', async () => {
  const ca = await makeCa('Java Test CA');
  const label = parseTrustedCa(ca.pem).label;
  const dir = tempDir('ct-java-');
  const keystore = join(dir, 'cacerts');
  copyFileSync('/etc/ssl/certs/java/cacerts', keystore);
  const realBefore = sha256File('/etc/ssl/certs/java/cacerts');
  const opts: TrustOptions = { javaKeystore: keystore, stores: ['java'] };
  try {
    assert.equal(only(await trustStatus(ca.pem, opts)).installed, false);
    const r = only(await trustInstall(ca.pem, opts));
    assert.equal(r.error, undefined, r.message);
    assert.deepEqual(r.commands.map((a) => a.filter((x) => !x.endsWith('.pem'))), [['keytool', '-importcert', '-noprompt', '-alias', label, '-file', '-keystore', keystore, '-storepass', 'changeit']]);
    assert.match(sh('keytool', ['-list', '-keystore', keystore, '-storepass', 'changeit', '-alias', label]), /trustedCertEntry/);
    const again = only(await trustInstall(ca.pem, opts));
    assert.match(again.message, /already trusted/);
    assert.deepEqual(again.commands, []);
    const status = only(await trustStatus(ca.pem, opts));
    assert.equal(status.installed, true);
    assert.deepEqual(status.locations, [`${keystore} (alias ${label})`]);
    const removed = only(await trustUninstall(ca.pem, opts));
    assert.deepEqual(removed.commands, [['keytool', '-delete', '-alias', label, '-keystore', keystore, '-storepass', 'changeit']]);
    assert.notEqual(shResult('keytool', ['-list', '-keystore', keystore, '-storepass', 'changeit', '-alias', label]).code, 0);
    assert.match(only(await trustUninstall(ca.pem, opts)).message, /not present/);
    assert.equal(sha256File('/etc/ssl/certs/java/cacerts'), realBefore);
  } finally {
    cleanup(dir);
  }
});

test('Java: a wrong store password is keytool\'s error, shown to the user', async () => {
  const ca = await makeCa();
  const dir = tempDir('ct-java-');
  const keystore = join(dir, 'cacerts');
  copyFileSync('/etc/ssl/certs/java/cacerts', keystore);
  try {
    const r = only(await trustInstall(ca.pem, { javaKeystore: keystore, javaStorePass: 'not-the-password', stores: ['java'] }));
    assert.equal(r.error?.code, 'tool-failed');
    assert.match(r.message, /password was incorrect/);
    assert.equal(sha256File(keystore), sha256File('/etc/ssl/certs/java/cacerts'));
  } finally {
    cleanup(dir);
  }
});

test('CLI: trust install/status/uninstall --store nss --nss-db, --java-keystore, --json and human output', async () => {
  const ws = workspace();
  const db = newNssDb(join(ws.dir, 'nssdb'));
  const keystore = join(ws.dir, 'cacerts');
  copyFileSync('/etc/ssl/certs/java/cacerts', keystore);
  try {
    assert.equal(ws.cli('ca', 'init', '--name', 'CLI Trust CA').code, 0);
    const args = ['--store', 'nss', '--store', 'java', '--nss-db', db, '--java-keystore', keystore];
    const dry = ws.cli('trust', 'install', ...args, '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would run:\n {2}\$ certutil -A -d sql:/);
    assert.match(dry.stdout, new RegExp(`-i ${ws.home}/cas/[0-9a-f]{16}/ca.crt`), 'a dry run names the vault\'s CA file: the commands can be pasted');
    assert.doesNotMatch(listNss(db), /cluster-trust/);

    const inst = ws.cli('trust', 'install', ...args, '--json');
    assert.equal(inst.code, 0, inst.stderr);
    const results = JSON.parse(inst.stdout) as StoreResult[];
    assert.deepEqual(results.map((r) => [r.store, r.installed, r.changed]), [['nss', true, true], ['java', true, true]]);

    const again = ws.cli('trust', 'install', ...args);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /nss \(.*\): already trusted/);
    assert.match(again.stdout, /java \(.*\): already trusted/);

    const status = ws.cli('trust', 'status', ...args);
    assert.match(status.stdout, /^nss\s+nss\s+yes\s+yes/m);
    assert.match(status.stdout, /^java\s+java\s+yes\s+yes/m);

    const un = ws.cli('trust', 'uninstall', ...args);
    assert.equal(un.code, 0, un.stderr);
    assert.match(un.stdout, /removed from 1 NSS database/);
    assert.match(ws.cli('trust', 'uninstall', ...args).stdout, /not present/);

    // certutil not on PATH: the package that brings it on this OS (Debian) is named.
    const noTool = runCli(['--home', ws.home, '--passphrase-file', ws.pass, 'trust', 'install', '--store', 'nss', '--nss-db', db], { PATH: '/nonexistent' });
    assert.equal(noTool.code, 1);
    assert.match(noTool.stdout, /error: certutil is missing: install libnss3-tools/);
    assert.match(ws.cli('trust', 'status', '--store', 'nss', '--nss-db', db).stdout, /^nss\s+nss\s+yes\s+no\s+enforced\s+not trusted$/m);

    // A tool failing: certutil's own stderr is what the user reads.
    const broken = join(ws.dir, 'broken-db');
    mkdirSync(broken);
    writeFileSync(join(broken, 'cert9.db'), 'not a database');
    const failed = ws.cli('trust', 'install', '--store', 'nss', '--nss-db', broken);
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /nss \(.*\): error: `certutil -L -d sql:.*broken-db` failed \(exit 255\): certutil: function failed: SEC_ERROR_BAD_DATABASE/);

    const bad = ws.cli('trust', 'install', '--store', 'browser');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown --store "browser"; use system, nss, java/);
  } finally {
    cleanup(ws.dir);
  }
});
