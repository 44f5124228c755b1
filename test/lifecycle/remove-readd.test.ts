// Issue 13, item 5: removing a node and adding one of the same name must not bring back the old
// certificate and key; a live certificate is revoked or kept by choice. Real CLI, real openssl.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cleanup, runCli, sh, shResult, snapshot, tempDir, workspace, type CliRun } from '../helpers/cli.ts';
import { createContext } from '../../src-main/core/context.ts';
import { addNodes, latestCert } from '../../src-main/core/nodes.ts';
import { issueForNodes } from '../../src-main/core/issue.ts';
import { removeNode } from '../../src-main/lifecycle/remove-node.ts';
import { UserError } from '../../src-main/errors.ts';
import { json, ok, type Ws } from './helpers.ts';

const FIXTURE = resolve(import.meta.dirname, 'fixtures', 'v1-vault');
const dirs: string[] = [];
after(() => cleanup(...dirs));

interface Inv {
  schema: number;
  cas: Array<{ kek?: string }>;
  nodes: Array<{ id: string; name: string }>;
  certs: Array<{ serial: string; node: string; nodeId?: string; status: string; revocationReason?: string }>;
}
const inventory = (ws: Ws): Inv => JSON.parse(readFileSync(join(ws.home, 'inventory.json'), 'utf8')) as Inv;
const statusOf = (ws: Ws, name: string) => json<{ rows: Array<{ name: string; serial: string | null; state: string }> }>(ws.cli('--json', 'status'), 'status').rows.find((r) => r.name === name)!;

function fresh(): Ws {
  const ws = workspace();
  dirs.push(ws.dir);
  ok(ws.cli('ca', 'init', '--name', 'Remove CA'), 'ca init');
  return ws;
}

function refusedUnchanged(ws: Ws, r: () => CliRun, message: RegExp): void {
  const before = snapshot(ws.home);
  const run = r();
  assert.equal(run.code, 1, run.stdout);
  assert.match(run.stderr, message);
  assert.equal(run.stderr.trim().split('\n').length, 1, 'one line');
  assert.deepEqual(snapshot(ws.home), before, 'nothing changed');
}

const certPub = (file: string) => sh('openssl', ['x509', '-in', file, '-noout', '-pubkey']).trim();
const keyPub = (file: string) => sh('openssl', ['pkey', '-in', file, '-pubout']).trim();

test('remove with a live certificate needs --revoke or --keep-cert; --revoke revokes it in the CRL; the re-added name starts empty', () => {
  const ws = fresh();
  ok(ws.cli('node', 'add', 'app', '--dns', 'app.old.example', '--ip', '10.0.0.5'), 'node add');
  ok(ws.cli('issue', 'app'), 'issue');
  const oldSerial = statusOf(ws, 'app').serial!;
  const oldBundle = join(ws.dir, 'old');
  ok(ws.cli('bundle', 'app', '--out', oldBundle), 'bundle');

  refusedUnchanged(ws, () => ws.cli('node', 'remove', 'app'), new RegExp(`node "app" still holds a live certificate \\(serial ${oldSerial}, valid until .*\\): add --revoke to revoke it .* or --keep-cert to leave it valid; nothing was removed`));
  refusedUnchanged(ws, () => ws.cli('node', 'remove', 'app', '--revoke', '--keep-cert'), /choose --revoke or --keep-cert, not both/);

  const removed = ws.cli('node', 'remove', 'app', '--revoke');
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, new RegExp(`removed node app; revoked its certificate ${oldSerial} \\(CRL number 1`));
  const rec = inventory(ws).certs.find((c) => c.serial === oldSerial)!;
  assert.deepEqual([rec.status, rec.revocationReason], ['revoked', 'cessationOfOperation']);
  // openssl sees the revocation in the CRL the vault signed.
  const crl = join(ws.dir, 'crl.pem');
  ok(ws.cli('crl', '--out', crl), 'crl');
  assert.match(sh('openssl', ['crl', '-in', crl, '-noout', '-text']), new RegExp(`Serial Number: ${oldSerial.toUpperCase()}`));
  const caFile = join(ws.dir, 'ca.crt');
  ok(ws.cli('ca', 'export', '--out', caFile), 'ca export');
  const verify = shResult('openssl', ['verify', '-crl_check', '-CAfile', caFile, '-CRLfile', crl, join(oldBundle, 'node.crt')]);
  assert.notEqual(verify.code, 0);
  assert.match(verify.stdout + verify.stderr, /certificate revoked/);

  // The same name again, with new names: no certificate, no bundle, nothing to revoke.
  ok(ws.cli('node', 'add', 'app', '--dns', 'new-app.example', '--ip', '10.0.0.9'), 'node add again');
  assert.deepEqual([statusOf(ws, 'app').state, statusOf(ws, 'app').serial], ['none', null]);
  const noBundle = ws.cli('bundle', 'app', '--out', join(ws.dir, 'never'));
  assert.equal(noBundle.code, 1);
  assert.match(noBundle.stderr, /node "app" has no certificate yet: run `cluster-trust issue app`/);
  assert.equal(existsSync(join(ws.dir, 'never')), false);
  assert.deepEqual(json<{ certificates: unknown[] }>(ws.cli('--json', 'node', 'show', 'app'), 'node show').certificates, []);
  assert.match(ws.cli('renew', 'app').stderr, /node "app" has no certificate to renew yet/);
  assert.match(ws.cli('revoke', 'app').stderr, /node "app" has no certificate to revoke/);

  // Its first certificate is new: new names, new key.
  ok(ws.cli('issue', 'app'), 'issue again');
  const b = join(ws.dir, 'new');
  ok(ws.cli('bundle', 'app', '--out', b), 'bundle again');
  assert.match(sh('openssl', ['x509', '-in', join(b, 'node.crt'), '-noout', '-ext', 'subjectAltName']), /DNS:new-app\.example, IP Address:10\.0\.0\.9/);
  assert.notEqual(keyPub(join(b, 'node.key')), keyPub(join(oldBundle, 'node.key')));
  assert.equal(certPub(join(b, 'node.crt')), keyPub(join(b, 'node.key')));
});

test('--keep-cert leaves the certificate valid in history, still not the re-added node\'s; a node without one needs no choice', () => {
  const ws = fresh();
  ok(ws.cli('node', 'add', 'db', '--ip', '10.0.0.6'), 'node add');
  ok(ws.cli('issue', 'db'), 'issue');
  const serial = statusOf(ws, 'db').serial!;
  const r = ws.cli('node', 'remove', 'db', '--keep-cert');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`removed node db; its certificate ${serial} stays valid until `));
  assert.equal(inventory(ws).certs.find((c) => c.serial === serial)?.status, 'active');
  ok(ws.cli('node', 'add', 'db', '--ip', '10.0.0.7'), 'node add again');
  assert.deepEqual([statusOf(ws, 'db').state, statusOf(ws, 'db').serial], ['none', null]);
  // The kept certificate can still be revoked by serial later.
  ok(ws.cli('revoke', '--serial', serial), 'revoke by serial');
  // No certificate, or only a revoked one: nothing to decide.
  ok(ws.cli('node', 'remove', 'db'), 'remove a node without a certificate');
  ok(ws.cli('node', 'add', 'gone', '--ip', '10.0.0.8'), 'node add');
  ok(ws.cli('issue', 'gone'), 'issue');
  ok(ws.cli('revoke', 'gone'), 'revoke');
  ok(ws.cli('node', 'remove', 'gone'), 'remove a node whose certificate is revoked');
});

test('core: removeNode refuses without a choice, and a re-added node of the same name has no latest certificate', async () => {
  const ws = fresh();
  const ctx = createContext({ home: ws.home, passphraseFile: ws.pass });
  const [first] = await addNodes(ctx, [{ name: 'core1', ips: ['10.2.0.1'] }]);
  const [issued] = await issueForNodes(ctx, ['core1']);
  await assert.rejects(removeNode(ctx, 'core1'), (err: unknown) => err instanceof UserError && err.code === 'refused' && /--revoke .* --keep-cert/.test(err.message));
  const kept = await removeNode(ctx, 'core1', { cert: 'keep' });
  assert.deepEqual(kept.cert && [kept.cert.serial, kept.cert.revoked], [issued!.serial, false]);
  const [second] = await addNodes(ctx, [{ name: 'core1', ips: ['10.2.0.2'] }]);
  assert.notEqual(second!.id, first!.id, 'a new record, a new id');
  assert.equal(latestCert(ctx.vault.read(), 'core1'), undefined);
  assert.equal(ctx.vault.read().certs.find((c) => c.serial === issued!.serial)?.nodeId, first!.id);
});

test('an old-format (schema 1) vault: migrated on read, the resurrected certificate is dropped from the re-added node, written in the current schema on the next change', () => {
  const dir = tempDir();
  dirs.push(dir);
  const home = join(dir, 'home');
  cpSync(FIXTURE, home, { recursive: true });
  // Git keeps no modes: give the copy the vault's own (0700 folders, 0600 files).
  const fix = (p: string) => {
    if (statSync(p).isDirectory()) {
      chmodSync(p, 0o700);
      for (const e of readdirSync(p)) fix(join(p, e));
    } else chmodSync(p, 0o600);
  };
  fix(home);
  const pass = join(dir, 'passphrase');
  writeFileSync(pass, readFileSync(`${FIXTURE}.passphrase`), { mode: 0o600 });
  const ws: Ws = { home, pass, dir, cli: (...args) => runCli(['--home', home, '--passphrase-file', pass, ...args]) };
  const raw = JSON.parse(readFileSync(join(home, 'inventory.json'), 'utf8')) as { schema: number; certs: Array<{ node: string; serial: string }> };
  assert.equal(raw.schema, 1, 'the fixture is an old vault');
  const oldApp = raw.certs.find((c) => c.node === 'app')!.serial;
  const web1 = raw.certs.find((c) => c.node === 'web1')!.serial;

  // In the old vault "app" was removed and re-added after its certificate was issued: today's main shows it "ok".
  assert.deepEqual([statusOf(ws, 'app').state, statusOf(ws, 'app').serial], ['none', null]);
  assert.equal(statusOf(ws, 'web1').serial, web1);
  assert.match(ws.cli('bundle', 'app', '--out', join(dir, 'never')).stderr, /node "app" has no certificate yet/);
  // Every read agrees on the migrated ids (a transaction compares two reads).
  const ids = () => json<Array<{ name: string; id: string }>>(ws.cli('--json', 'node', 'list'), 'node list').map((n) => `${n.name}:${n.id}`);
  assert.deepEqual(ids(), ids());
  assert.equal(inventory(ws).schema, 1, 'reading does not write');

  // The first change writes the current schema (4); web1 renews on the migrated vault; the stand-alone CSR certificate stays nobody's.
  ok(ws.cli('renew', 'web1'), 'renew web1 on a migrated vault');
  const inv = inventory(ws);
  assert.equal(inv.schema, 4);
  assert.equal(inv.cas[0]!.kek, 'scrypt', "an older vault's CA keeps the scrypt node-key key");
  const web1Id = inv.nodes.find((n) => n.name === 'web1')!.id;
  assert.equal(inv.certs.find((c) => c.serial === web1)?.nodeId, web1Id);
  assert.equal(inv.certs.find((c) => c.serial === oldApp)?.nodeId, undefined, 'the old app certificate belongs to no current node');
  assert.equal(inv.certs.find((c) => c.node === 'edge1')?.nodeId, undefined);
  assert.equal(inv.certs.find((c) => c.serial === web1)?.status, 'superseded');
  // The old app certificate is still live: it can be revoked by serial.
  ok(ws.cli('revoke', '--serial', oldApp, '--reason', 'cessationOfOperation'), 'revoke the old app certificate');
});
