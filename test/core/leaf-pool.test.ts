import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { createContext } from '../../src-main/core/context.ts';
import { activeCaRecord, unlockCa } from '../../src-main/core/ca.ts';
import { addNodes } from '../../src-main/core/nodes.ts';
import { issueForNodes } from '../../src-main/core/issue.ts';
import { makeLeaves, POOL_MIN_LEAVES } from '../../src-main/core/leaf-pool.ts';
import type { LeafJob } from '../../src-main/core/leaf-work.ts';
import { openNodeKey } from '../../src-main/keychain/node-keys.ts';
import { UserError } from '../../src-main/errors.ts';
import { cleanup, snapshot } from '../helpers/cli.ts';
import { ok, withCa, type Workspace } from './helpers.ts';

const spaces: Workspace[] = [];
after(() => cleanup(...spaces.map((w) => w.dir)));
const track = (ws: Workspace) => (spaces.push(ws), ws);

const jobs = (n: number, nowMs = Date.now()): LeafJob[] =>
  Array.from({ length: n }, (_, i) => ({ commonName: `pool-${i}`, dns: [`pool-${i}.example.test`], ips: [`10.9.${i >> 8}.${i & 255}`], server: true, client: i % 2 === 0, keyType: 'ecdsa-p256', nowMs }));

test('the compute pool signs in worker threads (the main thread free or a lane too); every certificate verifies and its sealed key matches', async () => {
  const ws = track(withCa('ecdsa-p256'));
  const ctx = createContext({ home: ws.home, passphraseFile: ws.pass });
  const ca = await unlockCa(ctx, activeCaRecord(ctx.vault.read()));
  const n = Math.max(POOL_MIN_LEAVES, 120);
  const seen: number[] = [];
  const leaves = await makeLeaves(ca, jobs(n), { workers: 2, mainLane: false, onEach: (i) => seen.push(i) });
  assert.equal(leaves.length, n);
  assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), 'progress once per leaf');
  const threads = new Set(leaves.map((l) => l.threadId));
  assert.ok(!threads.has(threadId), `no leaf was signed on the main thread (threads: ${[...threads].join(', ')})`);
  // With the main thread a lane too (the default), the same batch still comes out whole and in order.
  const mixed = await makeLeaves(ca, jobs(n), { workers: 1 });
  assert.deepEqual(mixed.map((l) => new X509Certificate(l.certPem).subject), leaves.map((l) => new X509Certificate(l.certPem).subject));
  const caKey = new X509Certificate(ca.certPem).publicKey;
  leaves.forEach((leaf, i) => {
    const cert = new X509Certificate(leaf.certPem);
    assert.ok(cert.verify(caKey), `leaf ${i} verifies against the CA`);
    assert.equal(cert.subject, `CN=pool-${i}`, 'results stay in input order');
    const key = createPrivateKey({ key: openNodeKey(ca.kek, leaf.sealedKey!), format: 'der', type: 'pkcs8' });
    assert.ok(cert.checkPrivateKey(key), `leaf ${i}'s sealed key is its certificate's`);
  });
});

test('a leaf the worker refuses fails the whole batch with the worker\'s clear error, and issueForNodes leaves the vault unchanged', async () => {
  const ws = track(withCa('ecdsa-p256'));
  const ctx = createContext({ home: ws.home, passphraseFile: ws.pass });
  const ca = await unlockCa(ctx, activeCaRecord(ctx.vault.read()));
  const batch = jobs(Math.max(POOL_MIN_LEAVES, 100));
  // The last leaf: the main lane takes chunks from the front too, so a worker may get it or not; either way one error.
  batch[batch.length - 1] = { ...batch[batch.length - 1]!, existing: { spki: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]).buffer, pkcs8: null } };
  await assert.rejects(makeLeaves(ca, batch, { workers: 1 }), (err: unknown) => err instanceof UserError && err.code === 'invalid-input' && /not a readable SubjectPublicKeyInfo/.test(err.message));

  const n = Math.max(POOL_MIN_LEAVES, 80);
  await addNodes(ctx, Array.from({ length: n }, (_, i) => ({ name: `n-${i}`, ips: [`10.8.${i >> 8}.${i & 255}`] })));
  const before = snapshot(ws.home);
  const junk = new Map([[`n-${n - 1}`, { existingKey: { publicKeyDer: new Uint8Array([0x30, 0x00]).buffer, keyType: 'ecdsa-p256' as const, pkcs8Der: null } }]]);
  await assert.rejects(issueForNodes(ctx, 'all', { plans: junk }), /not a readable SubjectPublicKeyInfo/);
  assert.deepEqual(snapshot(ws.home), before, 'nothing was written');
});

test('the built CLI (dist/, the worker bundle evaluated from a string as in the packaged app) issues a pooled batch that openssl-compatible parsers read', () => {
  const ws = track(withCa('ecdsa-p256'));
  const n = Math.max(POOL_MIN_LEAVES, 64);
  const list = join(ws.dir, 'nodes.txt');
  writeFileSync(list, Array.from({ length: n }, (_, i) => `b-${i} 10.7.0.${i + 1} b-${i}.example.test`).join('\n') + '\n');
  ok(ws.cli('--json', 'node', 'import', list));
  const issued = ok<Array<{ node: string; serial: string }>>(ws.cli('--json', 'issue', '--all'));
  assert.equal(issued.length, n);
  assert.equal(new Set(issued.map((i) => i.serial)).size, n, 'every serial differs');
  const packs = readdirSync(join(ws.home, 'packs'));
  assert.equal(packs.length, 1, 'one pack for the batch');
  const status = ok<{ nodes?: unknown[] } | unknown[]>(ws.cli('--json', 'status'));
  assert.ok(status, 'status reads the vault after the pooled write');
  // A key pair of the batch, through the bundle export, matches its certificate.
  const out = join(ws.dir, 'bundle');
  ok(ws.cli('--json', 'bundle', `b-${n - 1}`, '--out', out));
  const cert = new X509Certificate(readFileSync(join(out, 'node.crt')));
  const key = createPublicKey(createPrivateKey(readFileSync(join(out, 'node.key'))));
  assert.ok(cert.publicKey.equals(key), 'the bundle key belongs to its certificate');
});
