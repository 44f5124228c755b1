// The system stores of OSes other than this Debian machine: their tools do not exist here, so each
// runs against a fake root with a small stand-in tool (test/truststore/fake-tools) that accepts only
// the documented argument form and logs the exact argv. PATH leaves out sbin so no real tool of this
// machine can run by mistake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trustInstall, trustStatus, trustUninstall, parseTrustedCa, type StoreResult, type TrustOptions } from '../../src-main/truststore/index.ts';
import { cleanup, snapshot, tempDir } from '../helpers/cli.ts';
import { fakeTools, logged, makeCa, mkdirs, placeUnderRoot, type TestCa } from './helpers.ts';

interface Case {
  os: string;
  platform: NodeJS.Platform;
  store: string;
  /** Folders that make the store present under the fake root. */
  dirs: string[];
  tools: Record<string, string>;
  anchorDir: string;
  extension: string;
  refresh: string[][];
  refreshAfterRemove: string[][];
  compiled: string;
}

const CASES: Case[] = [
  {
    os: 'RHEL', platform: 'linux', store: 'rhel', dirs: ['etc/pki/ca-trust/source/anchors'], tools: { 'update-ca-trust': 'update-ca-trust' },
    anchorDir: 'etc/pki/ca-trust/source/anchors', extension: '.pem', refresh: [['update-ca-trust', 'extract']], refreshAfterRemove: [['update-ca-trust', 'extract']],
    compiled: 'etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  },
  {
    os: 'Arch', platform: 'linux', store: 'arch', dirs: ['etc/ca-certificates/trust-source/anchors'], tools: { trust: 'trust' },
    anchorDir: 'etc/ca-certificates/trust-source/anchors', extension: '.crt', refresh: [['trust', 'extract-compat']], refreshAfterRemove: [['trust', 'extract-compat']],
    compiled: 'etc/ca-certificates/extracted/tls-ca-bundle.pem',
  },
  {
    os: 'openSUSE', platform: 'linux', store: 'opensuse', dirs: ['etc/pki/trust/anchors', 'usr/share/pki/trust/anchors'], tools: { 'update-ca-certificates': 'update-ca-certificates' },
    anchorDir: 'etc/pki/trust/anchors', extension: '.pem', refresh: [['update-ca-certificates']], refreshAfterRemove: [['update-ca-certificates']],
    compiled: 'var/lib/ca-certificates/ca-bundle.pem',
  },
  {
    os: 'FreeBSD (certctl)', platform: 'freebsd', store: 'freebsd', dirs: ['usr/local/share/certs', 'etc/ssl/certs'], tools: { certctl: 'certctl' },
    anchorDir: 'usr/local/share/certs', extension: '.pem', refresh: [['certctl', 'rehash']], refreshAfterRemove: [['certctl', 'rehash']],
    compiled: 'etc/ssl/certs',
  },
];

function caFileOf(ca: TestCa, dir: string): string {
  const p = join(dir, 'ca.crt');
  writeFileSync(p, ca.pem);
  return p;
}

function only(results: StoreResult[]): StoreResult {
  assert.equal(results.length, 1, JSON.stringify(results, null, 2));
  return results[0]!;
}

for (const c of CASES) {
  test(`${c.os}: documented argv, install, status, twice-install no-op, uninstall, absent uninstall`, async () => {
    const ca = await makeCa(`${c.os} Test CA`);
    const label = parseTrustedCa(ca.pem).label;
    const root = tempDir('ct-root-');
    mkdirs(root, ...c.dirs);
    const fake = fakeTools(c.tools);
    const caFile = caFileOf(ca, fake.dir);
    const opts: TrustOptions = { platform: c.platform, root, stores: ['system'], processEnv: fake.processEnv(root), isRoot: true, caFile };
    const anchorDir = join(root, c.anchorDir);
    const anchor = join(anchorDir, `${label}${c.extension}`);
    try {
      const status = only(await trustStatus(ca.pem, { ...opts, stores: ['system'] }).then((rs) => rs.filter((r) => r.present)));
      assert.equal(status.store, c.store);
      assert.equal(status.installed, false);

      const installed = only(await trustInstall(ca.pem, opts));
      assert.equal(installed.error, undefined, installed.message);
      assert.equal(installed.store, c.store);
      assert.equal(installed.installed, true);
      assert.equal(installed.changed, true);
      assert.equal(installed.elevated, false);
      assert.deepEqual(installed.commands, [['mkdir', '-p', anchorDir], ['install', '-m', '0644', caFile, anchor], ...c.refresh]);
      assert.equal(readFileSync(anchor, 'utf8'), ca.pem);
      assert.deepEqual(fake.calls(), c.refresh.map(logged));

      const status2 = (await trustStatus(ca.pem, opts)).find((r) => r.store === c.store)!;
      assert.equal(status2.installed, true);
      assert.ok(status2.locations.includes(anchor));

      const before = snapshot(root);
      const again = only(await trustInstall(ca.pem, opts));
      assert.equal(again.changed, false);
      assert.deepEqual(again.commands, []);
      assert.match(again.message, /already trusted/);
      assert.deepEqual(snapshot(root), before);

      const removed = only(await trustUninstall(ca.pem, opts));
      assert.equal(removed.error, undefined, removed.message);
      assert.equal(removed.installed, false);
      assert.equal(removed.changed, true);
      assert.deepEqual(removed.commands[0]!.slice(0, 3), ['rm', '-f', anchor]);
      assert.deepEqual(removed.commands.slice(1), c.refreshAfterRemove);
      assert.equal(existsSync(anchor), false);
      assert.equal((await trustStatus(ca.pem, opts)).find((r) => r.store === c.store)!.installed, false);

      const absent = only(await trustUninstall(ca.pem, opts));
      assert.equal(absent.changed, false);
      assert.match(absent.message, /not present/);
    } finally {
      cleanup(root, fake.dir);
    }
  });
}

test('RHEL: a failing tool\'s stderr reaches the user, and the result says it failed', async () => {
  const ca = await makeCa();
  const root = tempDir('ct-root-');
  mkdirs(root, 'etc/pki/ca-trust/source/anchors');
  const fake = fakeTools({ 'update-ca-trust': 'update-ca-trust' });
  try {
    const r = only(await trustInstall(ca.pem, { platform: 'linux', root, stores: ['system'], processEnv: fake.processEnv(root, { FAKE_FAIL: 'update-ca-trust' }), isRoot: true }));
    assert.equal(r.error?.code, 'tool-failed');
    assert.match(r.message, /update-ca-trust extract/);
    assert.match(r.message, /Read-only file system/);
    assert.equal(r.installed, false);
  } finally {
    cleanup(root, fake.dir);
  }
});

test('Arch: a copy stored earlier by `trust anchor --store` (a .p11-kit file) is found by fingerprint and removed', async () => {
  const ca = await makeCa();
  const root = tempDir('ct-root-');
  mkdirs(root, 'etc/ca-certificates/trust-source/anchors');
  const stored = join(root, 'etc/ca-certificates/trust-source', 'Some_Other_Name.p11-kit');
  writeFileSync(stored, `[p11-kit-object-v1]\nclass: certificate\nlabel: "Some Other Name"\ntrusted: true\n${ca.pem}`);
  const fake = fakeTools({ trust: 'trust' });
  const opts: TrustOptions = { platform: 'linux', root, stores: ['system'], processEnv: fake.processEnv(root), isRoot: true };
  try {
    // Not compiled yet: installing compiles what is there instead of adding a second copy.
    const first = only(await trustInstall(ca.pem, opts));
    assert.deepEqual(first.commands, [['trust', 'extract-compat']]);
    assert.deepEqual(readdirSync(join(root, 'etc/ca-certificates/trust-source/anchors')), []);
    const removed = only(await trustUninstall(ca.pem, opts));
    assert.deepEqual(removed.commands, [['rm', '-f', stored], ['trust', 'extract-compat']]);
    assert.equal(existsSync(stored), false);
  } finally {
    cleanup(root, fake.dir);
  }
});

test('FreeBSD: copies certctl keeps in /etc/ssl/certs are removed too, or the CA would stay trusted', async () => {
  const ca = await makeCa();
  const root = tempDir('ct-root-');
  mkdirs(root, 'usr/local/share/certs', 'etc/ssl/certs');
  const fake = fakeTools({ certctl: 'certctl' });
  const opts: TrustOptions = { platform: 'freebsd', root, stores: ['system'], processEnv: fake.processEnv(root), isRoot: true };
  try {
    only(await trustInstall(ca.pem, opts));
    const copies = readdirSync(join(root, 'etc/ssl/certs'));
    assert.equal(copies.length, 1);
    assert.match(copies[0]!, /^[0-9a-f]{8}\.0$/);
    const removed = only(await trustUninstall(ca.pem, opts));
    assert.equal(removed.error, undefined, removed.message);
    const anchor = join(root, 'usr/local/share/certs', `${parseTrustedCa(ca.pem).label}.pem`);
    assert.deepEqual(removed.commands, [['rm', '-f', anchor, join(root, 'etc/ssl/certs', copies[0]!)], ['certctl', 'rehash']]);
    assert.deepEqual(readdirSync(join(root, 'etc/ssl/certs')), []);
  } finally {
    cleanup(root, fake.dir);
  }
});

test('FreeBSD without certctl: the Hoster recipe (mtree, then ca_root_nss_util install)', async () => {
  const ca = await makeCa();
  const root = tempDir('ct-root-');
  mkdirs(root, 'usr/local/share/certs', 'etc/ssl');
  placeUnderRoot(root, '/usr/local/sbin/ca_root_nss_util', 'fake-ca_root_nss_util');
  placeUnderRoot(root, '/usr/sbin/mtree', 'fake-mtree');
  const fake = fakeTools({});
  const opts: TrustOptions = { platform: 'freebsd', root, stores: ['system'], processEnv: fake.processEnv(root), isRoot: true };
  try {
    const status = only((await trustStatus(ca.pem, opts)).filter((r) => r.present));
    assert.equal(status.missingTool, undefined);
    const r = only(await trustInstall(ca.pem, opts));
    assert.equal(r.error, undefined, r.message);
    const label = parseTrustedCa(ca.pem).label;
    const dir = join(root, 'usr/local/share/certs');
    assert.deepEqual(r.commands.map((a) => a[0]), [join(root, '/usr/sbin/mtree'), 'mkdir', 'install', join(root, '/usr/local/sbin/ca_root_nss_util')]);
    assert.deepEqual(r.commands[0], [join(root, '/usr/sbin/mtree'), '-u', '-f', join(root, '/etc/mtree/BSD.local.dist'), '-p', join(root, '/usr/local')]);
    assert.equal(readFileSync(join(dir, `${label}.pem`), 'utf8'), ca.pem);
    assert.deepEqual(fake.calls(), [`mtree [-u] [-f] [${join(root, '/etc/mtree/BSD.local.dist')}] [-p] [${join(root, '/usr/local')}]`, 'ca_root_nss_util [install]']);
  } finally {
    cleanup(root, fake.dir);
  }
});

test('FreeBSD with neither certctl nor ca_root_nss_util: status names the missing tool; install changes nothing', async () => {
  const ca = await makeCa();
  const root = tempDir('ct-root-');
  mkdirs(root, 'usr/local/share/certs', 'etc/ssl');
  const fake = fakeTools({});
  const opts: TrustOptions = { platform: 'freebsd', root, stores: ['system'], processEnv: fake.processEnv(root), isRoot: true };
  try {
    const status = only((await trustStatus(ca.pem, opts)).filter((r) => r.present));
    assert.deepEqual(status.missingTool, { tool: 'certctl', package: 'the FreeBSD 12.2+ base system' });
    const before = snapshot(root);
    const r = only(await trustInstall(ca.pem, opts));
    assert.equal(r.error?.code, 'not-found');
    assert.match(r.message, /certctl is missing/);
    assert.deepEqual(snapshot(root), before);
  } finally {
    cleanup(root, fake.dir);
  }
});

test('macOS: security add-trusted-cert / remove-trusted-cert / delete-certificate -Z, status by find-certificate', async () => {
  const ca = await makeCa('Mac Test CA');
  const parsed = parseTrustedCa(ca.pem);
  const fake = fakeTools({ security: 'security' });
  const caFile = caFileOf(ca, fake.dir);
  const opts: TrustOptions = { platform: 'darwin', root: '/', stores: ['system'], processEnv: fake.processEnv('/'), isRoot: true, caFile };
  const keychain = '/Library/Keychains/System.keychain';
  try {
    const dry = only(await trustInstall(ca.pem, { ...opts, dryRun: true, isRoot: false }));
    assert.deepEqual(dry.commands, [['security', 'add-trusted-cert', '-d', '-r', 'trustRoot', '-k', keychain, caFile]]);
    assert.equal(dry.elevated, true, 'not root: the commands would go through the admin prompt');
    assert.equal(dry.dryRun, true);
    assert.equal(existsSync(fake.state) && readdirSync(fake.state).length > 0, false, 'dry run changed nothing');

    const r = only(await trustInstall(ca.pem, opts));
    assert.equal(r.error, undefined, r.message);
    assert.equal(r.installed, true);
    const again = only(await trustInstall(ca.pem, opts));
    assert.match(again.message, /already trusted/);
    assert.deepEqual(again.commands, []);

    const removed = only(await trustUninstall(ca.pem, opts));
    assert.equal(removed.error, undefined, removed.message);
    assert.deepEqual(removed.commands, [['security', 'remove-trusted-cert', '-d', caFile], ['security', 'delete-certificate', '-Z', parsed.sha1.toUpperCase(), keychain]]);
    assert.match(only(await trustUninstall(ca.pem, opts)).message, /not present/);
    assert.ok(fake.calls().includes(logged(['security', 'add-trusted-cert', '-d', '-r', 'trustRoot', '-k', keychain, caFile])));
  } finally {
    cleanup(fake.dir);
  }
});

test('Windows: certutil -addstore -f Root / -delstore Root <thumbprint>, status from certutil -store Root', async () => {
  const ca = await makeCa('Windows Test CA');
  const parsed = parseTrustedCa(ca.pem);
  const fake = fakeTools({ certutil: 'certutil-windows' });
  const caFile = caFileOf(ca, fake.dir);
  // No UAC here: run the stand-in directly.
  const opts: TrustOptions = { platform: 'win32', root: '/', stores: ['system'], processEnv: fake.processEnv('/'), privilege: 'direct', caFile };
  try {
    const r = only(await trustInstall(ca.pem, opts));
    assert.equal(r.error, undefined, r.message);
    assert.deepEqual(r.commands, [['certutil', '-addstore', '-f', 'Root', caFile]]);
    const status = only(await trustStatus(ca.pem, opts));
    assert.equal(status.installed, true);
    assert.deepEqual(status.commands, [['certutil', '-store', 'Root']]);
    assert.match(only(await trustInstall(ca.pem, opts)).message, /already trusted/);
    const removed = only(await trustUninstall(ca.pem, opts));
    assert.deepEqual(removed.commands, [['certutil', '-delstore', 'Root', parsed.sha1]]);
    assert.equal(only(await trustStatus(ca.pem, opts)).installed, false);
    assert.match(only(await trustUninstall(ca.pem, opts)).message, /not present/);
    // Elevated, the batch is one cmd.exe line.
    const dry = only(await trustInstall(ca.pem, { ...opts, privilege: 'auto', isRoot: false, dryRun: true }));
    assert.equal(dry.elevated, true);
  } finally {
    cleanup(fake.dir);
  }
});

test('openSUSE keeps a legacy /etc/ca-certificates.conf: that does not make it a Debian store', async () => {
  const ca = await makeCa();
  const root = tempDir('ct-root-');
  mkdirs(root, 'etc/pki/trust/anchors');
  writeFileSync(join(root, 'etc/ca-certificates.conf'), '');
  const fake = fakeTools({ 'update-ca-certificates': 'update-ca-certificates' });
  try {
    const present = (await trustStatus(ca.pem, { platform: 'linux', root, stores: ['system'], processEnv: fake.processEnv(root) })).filter((r) => r.present);
    assert.deepEqual(present.map((r) => r.store), ['opensuse']);
  } finally {
    cleanup(root, fake.dir);
  }
});
