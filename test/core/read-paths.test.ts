// Read paths at scale: the inventory is parsed once per change of the file and shared, certificates
// are indexed by node once per snapshot, and neither shortcut hides a change or a damaged file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, tempDir } from '../helpers/cli.ts';
import { createContext } from '../../src-main/core/context.ts';
import { initCa } from '../../src-main/core/ca.ts';
import { addNodes, certHistory, latestCert } from '../../src-main/core/nodes.ts';
import { removeNode } from '../../src-main/lifecycle/remove-node.ts';
import { issueForNodes } from '../../src-main/core/issue.ts';
import { summarizeNodes } from '../../src-main/core/status.ts';
import { Vault } from '../../src-main/vault/vault.ts';
import type { CertRecord, Inventory } from '../../src-main/vault/schema.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

async function vaultWithNodes(count: number): Promise<{ home: string; ctx: ReturnType<typeof createContext> }> {
  const dir = tempDir();
  dirs.push(dir);
  const home = join(dir, 'home');
  const pass = join(dir, 'pass');
  writeFileSync(pass, 'read paths test passphrase\n', { mode: 0o600 });
  const ctx = createContext({ home, passphraseFile: pass });
  await initCa(ctx, { name: 'Read CA', keyType: 'ecdsa-p256' });
  await addNodes(ctx, Array.from({ length: count }, (_, i) => ({ name: `n${i}`, ips: [`10.0.${Math.floor(i / 200)}.${(i % 200) + 1}`] })));
  return { home, ctx };
}

test('one snapshot per change of inventory.json: shared until another process writes, then re-read', async () => {
  const { home, ctx } = await vaultWithNodes(3);
  const a = ctx.vault.read();
  assert.equal(ctx.vault.read(), a, 'an unchanged file gives the same snapshot');
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.nodes), 'the shared snapshot cannot be reordered by a reader');
  assert.throws(() => (a.nodes as unknown as unknown[]).push({}), TypeError);
  // Another process (another Vault over the same folder) changes it.
  await removeNode(createContext({ home, passphraseFile: ctx.passphraseFile }), 'n1');
  const b = ctx.vault.read();
  assert.notEqual(b, a);
  assert.deepEqual(b.nodes.map((n) => n.name), ['n0', 'n2']);
});

test('a hand-edited inventory is checked in full again: the stamp of the last write no longer matches', async () => {
  const { home } = await vaultWithNodes(2);
  const file = join(home, 'inventory.json');
  const inv = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Array<Record<string, unknown>> };
  inv.nodes[1]!.server = 'yes';
  writeFileSync(file, JSON.stringify(inv, null, 1));
  assert.throws(() => Vault.open(home).read(), /damaged at nodes\.1\.server/);
});

test('an edit that keeps the size and the modification time is still checked in full: the stamp also holds the inode and ctime', async () => {
  const { home } = await vaultWithNodes(2);
  const file = join(home, 'inventory.json');
  const before = statSync(file);
  const text = readFileSync(file, 'utf8');
  assert.match(readFileSync(join(home, '.inventory.sha256'), 'utf8'), /^[0-9a-f]{64}\n\d+:\d+:\d+:\d+$/);
  // Same length, same mtime afterwards: only the ctime (and the bytes) tell.
  const edited = text.replace('"server":true', '"server":"ab"');
  assert.notEqual(edited, text);
  assert.equal(edited.length, text.length);
  writeFileSync(file, edited);
  utimesSync(file, before.atime, before.mtime);
  assert.throws(() => Vault.open(home).read(), /damaged at nodes\.0\.server/);
});

test('inventory.json is written one record a line, and reads back the same', async () => {
  const { home, ctx } = await vaultWithNodes(3);
  const lines = readFileSync(join(home, 'inventory.json'), 'utf8').split('\n');
  for (const name of ['n0', 'n1', 'n2']) assert.equal(lines.filter((l) => l.includes(`"name":"${name}"`)).length, 1, name);
  assert.deepEqual(Vault.open(home).read().nodes.map((n) => n.name), ctx.vault.read().nodes.map((n) => n.name));
});

test('a write checks what the change made: an edited or added record that fails the schema is refused and nothing is written', async () => {
  const { home, ctx } = await vaultWithNodes(3);
  const file = join(home, 'inventory.json');
  const before = readFileSync(file);
  await assert.rejects(ctx.vault.update((inv) => {
    (inv.nodes[1] as unknown as Record<string, unknown>).server = 'yes';
  }), /server|boolean/i);
  await assert.rejects(ctx.vault.update((inv) => {
    inv.nodes.push({ ...inv.nodes[0]!, id: 'not hex' });
  }), /id|regex|pattern/i);
  assert.deepEqual(readFileSync(file), before);
  // A valid edit lands, and the untouched records are written as they were.
  await ctx.vault.update((inv) => {
    inv.nodes[2]!.dns = ['n2.example.test'];
  });
  assert.deepEqual(Vault.open(home).read().nodes.map((n) => n.dns), [[], [], ['n2.example.test']]);
});

test('summaries and the latest certificate come from one index, with the same answers as a scan', async () => {
  const { ctx } = await vaultWithNodes(40);
  await issueForNodes(ctx, 'all');
  await issueForNodes(ctx, ['n3', 'n7']);
  const inv = ctx.vault.read();
  const scan = (node: string): CertRecord | undefined => {
    let latest: CertRecord | undefined;
    for (const c of inv.certs) if (c.node === node && (!latest || c.issuedAt >= latest.issuedAt)) latest = c;
    return latest;
  };
  const rows = summarizeNodes(inv, new Date());
  assert.equal(rows.length, 40);
  for (const r of rows) {
    assert.equal(r.cert, scan(r.node.name), r.node.name);
    assert.equal(latestCert(inv, r.node.name), r.cert);
    assert.equal(r.state, 'ok');
  }
  assert.equal(certHistory(inv, 'n3').length, 2);
  assert.equal(certHistory(inv, 'n3')[0], latestCert(inv, 'n3'));
  // A mutable copy (inside an update) is scanned, not served from a stale index.
  const copy = structuredClone(inv) as Inventory;
  copy.certs.push({ ...copy.certs[0]!, serial: 'ff', issuedAt: '9999-01-01T00:00:00.000Z' });
  assert.equal(latestCert(copy, copy.certs[0]!.node)?.serial, 'ff');
});
