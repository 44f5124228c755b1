import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { connect } from 'nats';
import { workspace, snapshot, shResult, cleanup } from '../helpers/cli.ts';
import { freePort, waitForPort } from '../helpers/ports.ts';
import { inventory, json, latest, ok, seed, waitExit } from './helpers.ts';

const ws = workspace();
const servers: ChildProcess[] = [];
after(async () => {
  for (const s of servers) {
    s.kill('SIGTERM');
    await waitExit(s);
  }
  cleanup(ws.dir);
});
const path = (...p: string[]) => join(ws.dir, ...p);
const bundle = (node: string, dir: string) => ok(ws.cli('bundle', node, '--out', path(dir)), `bundle ${node} -> ${dir}`);

/** A real nats-server requiring client certificates (--tlsverify), from a bundle folder. */
async function natsServer(dir: string): Promise<number> {
  const port = await freePort();
  const b = path(dir);
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '--tlsverify', '--tlscert', join(b, 'node.crt'), '--tlskey', join(b, 'node.key'), '--tlscacert', join(b, 'ca.crt')], { stdio: 'ignore' });
  servers.push(child);
  await waitForPort(port);
  return port;
}

/** Connects with a client bundle's cert, key and ca.crt; resolves to null on success or the error text. */
async function natsClient(port: number, dir: string): Promise<string | null> {
  const b = path(dir);
  try {
    const nc = await connect({ servers: `tls://127.0.0.1:${port}`, tls: { certFile: join(b, 'node.crt'), keyFile: join(b, 'node.key'), caFile: join(b, 'ca.crt') }, reconnect: false, timeout: 5000 });
    await nc.flush();
    await nc.close();
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  }
}

seed(ws, ['nats-srv', 'old-c', 'new-c']);

test('rotation with overlap, end to end against nats-server --tlsverify', async () => {
  const oldCa = inventory(ws).cas[0]!;
  const rotate = json<{ ca: { sha256: string; name: string }; onPreviousCa: string[] }>(ws.cli('ca', 'rotate', '--json'), 'ca rotate');
  assert.equal(rotate.ca.name, 'Lifecycle Test CA G2');
  assert.deepEqual(rotate.onPreviousCa.sort(), ['nats-srv', 'new-c', 'old-c'].sort());
  const cas = inventory(ws).cas;
  assert.deepEqual(cas.map((c) => c.status), ['previous', 'active']);
  const newCa = cas[1]!;

  // Overlap: the server not yet renewed (old-CA cert, ca.crt with both CAs) and the old-CA client.
  bundle('nats-srv', 'srv-old');
  bundle('old-c', 'old-c');
  assert.equal((readFileSync(path('srv-old', 'ca.crt'), 'utf8').match(/BEGIN CERTIFICATE/g) ?? []).length, 2, 'ca.crt holds both CAs during the overlap');
  // New and renewed certificates come from the new CA.
  ok(ws.cli('renew', 'nats-srv', 'new-c'), 'renew nats-srv new-c');
  let inv = inventory(ws);
  assert.equal(latest(inv, 'nats-srv')!.caId, newCa.id);
  assert.equal(latest(inv, 'old-c')!.caId, oldCa.id);
  bundle('nats-srv', 'srv-new');
  bundle('new-c', 'new-c');
  const issuer = shResult('openssl', ['x509', '-in', path('srv-new', 'node.crt'), '-noout', '-issuer']).stdout;
  assert.match(issuer, /Lifecycle Test CA G2/);

  const status = ws.cli('ca', 'status');
  assert.match(status.stdout, /old-c\s+Lifecycle Test CA\s+previous/);
  assert.match(status.stdout, /1 node\(s\) still carry a live certificate from the previous CA: old-c/);

  const portOld = await natsServer('srv-old');
  const portNew = await natsServer('srv-new');
  for (const [port, server] of [[portOld, 'server on its old cert'], [portNew, 'server re-issued from the new CA']] as const) {
    for (const client of ['old-c', 'new-c']) assert.equal(await natsClient(port, client), null, `${client} -> ${server}`);
  }

  // Retiring is refused while old-c still depends on the old CA, and changes nothing.
  const before = snapshot(ws.home);
  const refused = ws.cli('ca', 'retire-old');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /1 node\(s\) still hold a live certificate from the previous CA \(old-c\).*renew --old-ca/);
  assert.deepEqual(snapshot(ws.home), before);
  const twice = ws.cli('ca', 'rotate');
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, /a rotation is already under way/);
  assert.deepEqual(snapshot(ws.home), before);

  // Renew what is left, retire, and redeploy: the old-CA client is now refused.
  const renewed = json<{ renewed: Array<{ node: string }> }>(ws.cli('renew', '--old-ca', '--json'), 'renew --old-ca');
  assert.deepEqual(renewed.renewed.map((r) => r.node), ['old-c']);
  ok(ws.cli('ca', 'retire-old'), 'ca retire-old');
  inv = inventory(ws);
  assert.deepEqual(inv.cas.map((c) => c.status), ['retired', 'active']);
  bundle('nats-srv', 'srv-final');
  bundle('old-c', 'old-c-renewed');
  assert.equal((readFileSync(path('srv-final', 'ca.crt'), 'utf8').match(/BEGIN CERTIFICATE/g) ?? []).length, 1, 'the retired CA is gone from ca.crt');
  const portFinal = await natsServer('srv-final');
  const refusedWhy = await natsClient(portFinal, 'old-c');
  assert.notEqual(refusedWhy, null, 'a client still holding its old-CA certificate is refused');
  // Refused by the server (a TLS alert about the client's certificate, or, under load, the reset that
  // follows it before the alert is read: TLS 1.3 checks the client after its handshake ends), never
  // by a client-side check of the server.
  assert.match(refusedWhy!, /alert (bad certificate|unknown ca|certificate unknown)|^read ECONNRESET$/);
  assert.equal(await natsClient(portFinal, 'old-c-renewed'), null);
  assert.equal(await natsClient(portFinal, 'new-c'), null);

  // The retired CA never comes back as trusted: not in ca.crt, not for openssl, not in status.
  const v = shResult('openssl', ['verify', '-CAfile', path('srv-final', 'ca.crt'), path('old-c', 'node.crt')]);
  assert.notEqual(v.code, 0);
  const log = json<Array<{ action: string }>>(ws.cli('log', '--json'), 'log').map((e) => e.action);
  assert.ok(log.includes('ca.rotate') && log.includes('ca.retire'));
});

test('retire-old --force: a node still on the retired CA shows as untrusted, due, and gets no bundle', () => {
  const w = workspace();
  try {
    seed(w, ['a1', 'b1']);
    ok(w.cli('ca', 'rotate', '--key', 'ecdsa-p384'), 'rotate');
    ok(w.cli('renew', 'a1'), 'renew a1');
    const forced = w.cli('ca', 'retire-old', '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /forced: b1/);
    const status = w.cli('status', '--json');
    assert.equal(status.code, 2, 'a node on a retired CA is due');
    const rows = (JSON.parse(status.stdout) as { rows: Array<{ name: string; state: string }> }).rows;
    assert.equal(rows.find((r) => r.name === 'b1')!.state, 'untrusted');
    assert.equal(rows.find((r) => r.name === 'a1')!.state, 'ok');
    assert.ok(!rows.some((r) => r.name.includes('(retired)')), 'the retired CA is not listed as a live CA');
    const nodeList = w.cli('node', 'list');
    assert.match(nodeList.stdout, /b1\s+.*untrusted/);
    const refused = w.cli('bundle', 'b1', '--out', join(w.dir, 'b1'));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /retired CA/);
    const revoke = w.cli('revoke', 'b1');
    assert.equal(revoke.code, 1);
    assert.match(revoke.stderr, /retired CA/);
    const again = w.cli('ca', 'retire-old');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no previous CA to retire/);
    // Renewing brings it back under the active CA (a P-384 one now).
    ok(w.cli('renew', '--due'), 'renew --due');
    assert.equal(w.cli('status').code, 0);
  } finally {
    cleanup(w.dir);
  }
});

test('renew --keep-key across a rotation re-signs the same key, re-sealed under the new CA', () => {
  const w = workspace();
  try {
    seed(w, ['k1']);
    ok(w.cli('bundle', 'k1', '--out', join(w.dir, 'k1-a')), 'bundle');
    ok(w.cli('ca', 'rotate'), 'rotate');
    const r = json<{ renewed: Array<{ keptKey: boolean }> }>(w.cli('renew', 'k1', '--keep-key', '--json'), 'renew --keep-key');
    assert.equal(r.renewed[0]!.keptKey, true);
    ok(w.cli('bundle', 'k1', '--out', join(w.dir, 'k1-b')), 'bundle');
    assert.equal(readFileSync(join(w.dir, 'k1-b', 'node.key'), 'utf8'), readFileSync(join(w.dir, 'k1-a', 'node.key'), 'utf8'));
    const inv = inventory(w);
    const cert = latest(inv, 'k1')!;
    assert.equal(cert.caId, inv.cas.find((c) => c.status === 'active')!.id);
    const pack = JSON.parse(readFileSync(join(w.home, 'packs', `${cert.pack}.json`), 'utf8')) as { certs: Record<string, { key: string }> };
    const oldCert = inv.certs.find((c) => c.node === 'k1' && c.serial !== cert.serial)!;
    const oldPack = JSON.parse(readFileSync(join(w.home, 'packs', `${oldCert.pack}.json`), 'utf8')) as { certs: Record<string, { key: string }> };
    assert.notEqual(pack.certs[cert.serial]!.key, oldPack.certs[oldCert.serial]!.key, 'sealed again, under the new CA\'s key');
    // After retiring the old CA the bundle still opens: the key no longer depends on the old CA.
    ok(w.cli('ca', 'retire-old'), 'retire-old');
    ok(w.cli('bundle', 'k1', '--out', join(w.dir, 'k1-c')), 'bundle after retire');
    assert.equal(shResult('openssl', ['verify', '-CAfile', join(w.dir, 'k1-c', 'ca.crt'), join(w.dir, 'k1-c', 'node.crt')]).code, 0);
  } finally {
    cleanup(w.dir);
  }
});

test('retire-old: certificates no inventory node renews (a removed node, a CSR) are named with their way out; revoking them clears the way', () => {
  const w = workspace();
  try {
    seed(w, ['kept', 'gone']);
    ok(w.cli('node', 'remove', 'gone', '--keep-cert'), 'node remove, its certificate left valid');
    // A certificate signed from a CSR for a name that is no node.
    const key = join(w.dir, 'csr.key');
    const csr = join(w.dir, 'csr.pem');
    assert.equal(shResult('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=csr-only', '-addext', 'subjectAltName=DNS:csr-only.internal']).code, 0);
    ok(w.cli('sign-csr', csr, '--out', join(w.dir, 'csr.crt')), 'sign-csr');
    ok(w.cli('ca', 'rotate'), 'rotate');
    ok(w.cli('renew', '--old-ca'), 'renew --old-ca');
    const before = snapshot(w.home);
    const refused = w.cli('ca', 'retire-old');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /2 node\(s\) still hold a live certificate from the previous CA \((gone, csr-only|csr-only, gone)\): sign a new CSR for or revoke \(`cluster-trust revoke --serial HEX`\) the certificates of (gone, csr-only|csr-only, gone), which no inventory node renews; or add --force/);
    assert.doesNotMatch(refused.stderr, /renew --old-ca/, 'renewing would not help here');
    assert.deepEqual(snapshot(w.home), before);
    const inv = inventory(w);
    for (const node of ['gone', 'csr-only']) {
      const serial = inv.certs.find((c) => c.node === node && c.status === 'active')!.serial;
      ok(w.cli('revoke', '--serial', serial, '--reason', 'cessationOfOperation'), `revoke ${node}`);
    }
    ok(w.cli('ca', 'retire-old'), 'retire-old once they are revoked');
  } finally {
    cleanup(w.dir);
  }
});
