// Wrong input never reaches a trust store: a clear one-line error, and nothing changed anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrustedCa, trustInstall, trustUninstall, type StoreKind } from '../../src-main/truststore/index.ts';
import { UserError } from '../../src-main/errors.ts';
import { cleanup, sh, snapshot, tempDir, workspace } from '../helpers/cli.ts';
import { fakeTools, makeCa, mkdirs } from './helpers.ts';

test('a CA certificate that is not one: each case is a clear invalid-input error', async () => {
  const ca = await makeCa();
  const leaf = await ca.leaf({ dns: ['leaf.test'] });
  const other = await makeCa('Other CA');
  const body = ca.pem.split('\n').slice(1, -2).join('\n');
  const cases: Array<[string, RegExp]> = [
    ['this is not a certificate', /not PEM text/],
    ['', /not PEM text/],
    [ca.pem.slice(0, ca.pem.length / 2), /BEGIN line has no matching END/],
    [`-----BEGIN CERTIFICATE-----\n${body.replace(/[A-Z]/, '*')}\n-----END CERTIFICATE-----\n`, /not valid base64/],
    ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /corrupt: it is not valid X.509/],
    [leaf.certPem, /is not a CA certificate/],
    [ca.pem + other.pem, /exactly one CERTIFICATE block, found 2/],
    [ca.pem + leaf.keyPem, /holds a private key/],
  ];
  for (const [text, why] of cases) {
    assert.throws(() => parseTrustedCa(text), (e: unknown) => e instanceof UserError && e.code === 'invalid-input' && why.test(e.message), text.slice(0, 40));
  }
  assert.throws(() => parseTrustedCa(undefined as unknown as string), /not PEM text/);
  assert.match(parseTrustedCa(ca.pem).label, /^cluster-trust-trust-test-ca-[0-9a-f]{16}$/);
  assert.notEqual(parseTrustedCa(ca.pem).label, parseTrustedCa((await makeCa()).pem).label, 'same name, different CA: different labels');
});

test('garbage in: install and uninstall refuse before touching any store or running any tool', async () => {
  const root = tempDir('ct-root-');
  mkdirs(root, 'etc/pki/ca-trust/source/anchors');
  const fake = fakeTools({ 'update-ca-trust': 'update-ca-trust' });
  const db = join(fake.dir, 'nssdb');
  mkdirSync(db);
  sh('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  const ca = await makeCa();
  try {
    const before = { root: snapshot(root), db: snapshot(db) };
    for (const action of [trustInstall, trustUninstall]) {
      await assert.rejects(action('-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n', { platform: 'linux', root, nssDbs: [db], stores: ['system', 'nss'], processEnv: fake.processEnv(root), isRoot: true }), /not valid base64|corrupt/);
    }
    // A CA file that holds another certificate than the one given: refused too.
    const otherFile = join(fake.dir, 'other.pem');
    writeFileSync(otherFile, (await makeCa('Other')).pem);
    await assert.rejects(trustInstall(ca.pem, { platform: 'linux', root, stores: ['system'], processEnv: fake.processEnv(root), isRoot: true, caFile: otherFile }), /does not hold exactly this CA certificate/);
    await assert.rejects(trustInstall(ca.pem, { platform: 'linux', root, stores: ['browser' as StoreKind], processEnv: fake.processEnv(root) }), /unknown store "browser"/);
    await assert.rejects(trustInstall(ca.pem, { nssDbs: ['relative/db'], stores: ['nss'] }), /absolute paths/);
    assert.deepEqual({ root: snapshot(root), db: snapshot(db) }, before);
    assert.deepEqual(fake.calls(), []);
  } finally {
    cleanup(root, fake.dir);
  }
});

test('CLI: a corrupt CA file in the vault, or no CA at all, is one clear line and changes nothing', () => {
  const ws = workspace();
  const db = join(ws.dir, 'nssdb');
  mkdirSync(db);
  sh('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  try {
    const none = ws.cli('trust', 'status');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^cluster-trust: this vault has no CA yet/);
    assert.equal(ws.cli('ca', 'init', '--name', 'Corrupt Later').code, 0);
    const [id] = readdirSync(join(ws.home, 'cas'));
    writeFileSync(join(ws.home, 'cas', id!, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n');
    const before = snapshot(db);
    const r = ws.cli('trust', 'install', '--store', 'nss', '--nss-db', db, '--json');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'cluster-trust: corrupt PEM: the CERTIFICATE block is not valid base64\n');
    assert.equal(JSON.parse(r.stdout).error.code, 'invalid-input');
    assert.deepEqual(snapshot(db), before);
  } finally {
    cleanup(ws.dir);
  }
});
