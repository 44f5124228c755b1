import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspace, snapshot, sh, cleanup } from '../helpers/cli.ts';
import { inventory, json, latest, ok, seed } from './helpers.ts';

const ws = workspace();
after(() => cleanup(ws.dir));
seed(ws, ['r1', 'r2-c'], { days: 30 });
ok(ws.cli('node', 'add', 'fresh', '--ip', '10.9.9.9'), 'node add fresh');
const path = (...p: string[]) => join(ws.dir, ...p);
const pubkey = (crt: string) => sh('openssl', ['x509', '-in', crt, '-noout', '-pubkey']);

test('renew: unknown node, a node without a certificate, and bad flags are refused; nothing changes', () => {
  const before = snapshot(ws.home);
  const cases: Array<[string[], RegExp]> = [
    [['renew', 'ghost'], /no node named "ghost"/],
    [['renew', 'r1', 'ghost'], /no node named "ghost"/],
    [['renew', 'fresh'], /node "fresh" has no certificate to renew yet: run `cluster-trust issue fresh`/],
    [['renew'], /name the nodes to renew, or use exactly one of --due, --all, --old-ca/],
    [['renew', 'r1', '--all'], /exactly one of/],
    [['renew', 'r1', '--rekey', '--keep-key'], /choose --rekey or --keep-key, not both/],
    [['renew', 'r1', '--keep-key', '--key', 'rsa-2048'], /cannot go with --keep-key/],
    [['renew', 'r1', '--key', 'dsa'], /unknown key type "dsa"/],
    [['renew', 'r1', '--days', '0'], /--days must be/],
    [['renew', 'r1', '--days', '9999'], /above the 825-day maximum/],
    [['renew', 'r1', '--within', '5'], /--within goes with --due/],
  ];
  for (const [args, pattern] of cases) {
    const r = ws.cli(...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, pattern, args.join(' '));
  }
  assert.deepEqual(snapshot(ws.home), before);
});

test('renew --push refuses, before renewing anything, nodes it has no SSH target for', () => {
  const before = snapshot(ws.home);
  const r = ws.cli('renew', 'r1', 'r2-c', '--push');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /r1, r2-c have no SSH target to push to .*nothing was renewed/);
  assert.deepEqual(snapshot(ws.home), before);
});

test('renew: same names and profile, new serial, validity and key; twice in a row is safe', () => {
  ok(ws.cli('bundle', 'r1', '--out', path('r1-0')), 'bundle');
  const first = inventory(ws);
  const one = json<{ renewed: Array<{ serial: string; previousSerial: string; keptKey: boolean }> }>(ws.cli('renew', 'r1', '--json'), 'renew 1');
  const two = json<{ renewed: Array<{ serial: string; previousSerial: string }> }>(ws.cli('renew', 'r1', '--json'), 'renew 2');
  assert.equal(one.renewed[0]!.previousSerial, latest(first, 'r1')!.serial);
  assert.equal(two.renewed[0]!.previousSerial, one.renewed[0]!.serial);
  assert.notEqual(two.renewed[0]!.serial, one.renewed[0]!.serial);
  assert.equal(one.renewed[0]!.keptKey, false);
  const inv = inventory(ws);
  const r1 = inv.certs.filter((c) => c.node === 'r1');
  assert.equal(r1.length, 3, 'history keeps every certificate');
  assert.deepEqual(r1.map((c) => c.status), ['superseded', 'superseded', 'active']);
  ok(ws.cli('bundle', 'r1', '--out', path('r1-2')), 'bundle');
  assert.notEqual(pubkey(path('r1-2', 'node.crt')), pubkey(path('r1-0', 'node.crt')), 'a new key by default');
  const text = sh('openssl', ['x509', '-in', path('r1-2', 'node.crt'), '-noout', '-text']);
  assert.match(text, /IP Address:127\.0\.0\.1/);
  assert.match(text, /DNS:localhost/);
  assert.match(text, /TLS Web Server Authentication/);
  // The 30-day lifetime the node was issued with is kept.
  const end = Date.parse(sh('openssl', ['x509', '-in', path('r1-2', 'node.crt'), '-noout', '-enddate']).split('=')[1]!);
  const days = (end - Date.now()) / 86_400_000;
  assert.ok(days > 29 && days <= 30.01, `renewed for ${days} days`);
  assert.equal(sh('openssl', ['verify', '-CAfile', path('r1-2', 'ca.crt'), path('r1-2', 'node.crt')]).trim().endsWith('OK'), true);

  ok(ws.cli('renew', 'r1', '--keep-key'), 'renew --keep-key');
  ok(ws.cli('bundle', 'r1', '--out', path('r1-3')), 'bundle');
  assert.equal(pubkey(path('r1-3', 'node.crt')), pubkey(path('r1-2', 'node.crt')), '--keep-key re-signs the same key');
  assert.equal(readFileSync(path('r1-3', 'node.key'), 'utf8'), readFileSync(path('r1-2', 'node.key'), 'utf8'));
  ok(ws.cli('renew', 'r1', '--rekey', '--key', 'rsa-2048', '--days', '10'), 'renew --rekey --key');
  ok(ws.cli('bundle', 'r1', '--out', path('r1-4')), 'bundle');
  assert.match(sh('openssl', ['x509', '-in', path('r1-4', 'node.crt'), '-noout', '-text']), /rsaEncryption/);
});

test('renew of a node that signed its own CSR keeps the node\'s key only when asked by name (--keep-csr-key)', () => {
  const key = path('csr.key');
  sh('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', path('node.csr'), '-subj', '/CN=csr-node', '-addext', 'subjectAltName=IP:10.1.1.1']);
  ok(ws.cli('node', 'add', 'csr-node', '--ip', '10.1.1.1'), 'node add');
  ok(ws.cli('sign-csr', path('node.csr'), '--name', 'csr-node', '--out', path('csr-node.crt')), 'sign-csr');
  // The vault did not make that key: neither a plain renew nor --keep-key re-signs it.
  const unchanged = snapshot(ws.home);
  for (const args of [['renew', 'csr-node'], ['renew', 'csr-node', '--keep-key']]) {
    const refused = ws.cli(...args);
    assert.equal(refused.code, 1, args.join(' '));
    assert.match(refused.stderr, /csr-node was signed from a CSR, so the vault did not make the key: renew by name with `cluster-trust renew csr-node --keep-csr-key`.*or with --rekey/);
    assert.deepEqual(snapshot(ws.home), unchanged, `${args.join(' ')} changed nothing`);
  }
  const batchKeep = ws.cli('renew', '--all', '--keep-csr-key');
  assert.equal(batchKeep.code, 1);
  assert.match(batchKeep.stderr, /--keep-csr-key re-signs keys the vault did not make: name each node/);
  assert.deepEqual(snapshot(ws.home), unchanged);
  // A batch renews the others and leaves csr-node out, saying why; it exits 2 (something is still due).
  const batch = ws.cli('--json', 'renew', '--all');
  assert.equal(batch.code, 2, batch.stderr);
  const out = JSON.parse(batch.stdout) as { renewed: Array<{ node: string }>; skipped: Array<{ node: string; why: string }> };
  assert.deepEqual(out.renewed.map((x) => x.node).sort(), ['r1', 'r2-c']);
  assert.deepEqual(out.skipped.map((x) => x.node), ['csr-node']);
  assert.match(out.skipped[0]!.why, /signed from a CSR.*`cluster-trust renew csr-node --keep-csr-key`/);
  const r = json<{ renewed: Array<{ keptKey: boolean }> }>(ws.cli('renew', 'csr-node', '--keep-csr-key', '--json'), 'renew csr-node --keep-csr-key');
  assert.equal(r.renewed[0]!.keptKey, true);
  ok(ws.cli('bundle', 'csr-node', '--out', path('csr-b')), 'bundle');
  assert.equal(pubkey(path('csr-b', 'node.crt')), sh('openssl', ['pkey', '-in', key, '-pubout']));
  // If that key is reported compromised, keeping it is refused and a new one is made by default.
  ok(ws.cli('revoke', 'csr-node', '--reason', 'keyCompromise'), 'revoke');
  const before = snapshot(ws.home);
  const kept = ws.cli('renew', 'csr-node', '--keep-key');
  assert.equal(kept.code, 1);
  assert.match(kept.stderr, /revoked as compromised: renew it with a new key/);
  assert.deepEqual(snapshot(ws.home), before);
  const fresh = json<{ renewed: Array<{ keptKey: boolean }> }>(ws.cli('renew', 'csr-node', '--json'), 'renew after compromise');
  assert.equal(fresh.renewed[0]!.keptKey, false);
  ok(ws.cli('bundle', 'csr-node', '--out', path('csr-c')), 'bundle');
  assert.notEqual(pubkey(path('csr-c', 'node.crt')), sh('openssl', ['pkey', '-in', key, '-pubout']));
});

test('renew --due and --all pick the right nodes', () => {
  // r1 (10 days) and r2-c (30 days) are within the 30-day expiry threshold; csr-node (397) is not.
  const due = json<{ renewed: Array<{ node: string }> }>(ws.cli('renew', '--due', '--json'), 'renew --due');
  assert.deepEqual(due.renewed.map((r) => r.node).sort(), ['r1', 'r2-c']);
  const narrow = ws.cli('renew', '--due', '--within', '5');
  assert.equal(narrow.code, 0);
  assert.match(narrow.stdout, /nothing is due/);
  const all = json<{ renewed: Array<{ node: string }> }>(ws.cli('renew', '--all', '--json'), 'renew --all');
  assert.deepEqual(all.renewed.map((r) => r.node).sort(), ['csr-node', 'r1', 'r2-c'], 'every node with a certificate, not "fresh"');
  const within = json<{ renewed: Array<{ node: string }> }>(ws.cli('renew', '--due', '--within', '20', '--json'), 'renew --due --within');
  assert.deepEqual(within.renewed.map((r) => r.node), ['r1'], 'only the 10-day node ends within 20 days');
});
