// `issue NAME` at scale (issue 16): on the inventory the last write checked, a change to a few nodes
// parses, checks and rewrites only their lines (Vault.updateNodes). The result must be exactly the
// file a whole write makes, every other byte untouched, and a file changed by hand must get the
// whole check as before.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, cleanup, workspace } from '../helpers/cli.ts';
import { inventoryText } from '../../src-main/vault/inventory-text.ts';
import { inventorySchema } from '../../src-main/vault/schema.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

function vault(nodes: number) {
  const w = workspace();
  dirs.push(w.dir);
  assert.equal(w.cli('ca', 'init', '--name', 'Scope CA', '--key', 'ecdsa-p256').code, 0);
  const lines = Array.from({ length: nodes }, (_, i) => `s${i} 10.8.0.${i + 1} s${i}.scope.test`).join('\n');
  writeFileSync(join(w.dir, 'nodes.txt'), `${lines}\n`);
  assert.equal(w.cli('node', 'import', join(w.dir, 'nodes.txt')).code, 0);
  assert.equal(w.cli('issue', '--all').code, 0);
  return w;
}

type Inv = ReturnType<typeof inventorySchema.parse>;
const fileOf = (w: { home: string }) => readFileSync(join(w.home, 'inventory.json'), 'utf8');
const linesOf = (text: string) => text.split('\n').map((l) => l.replace(/,$/, ''));

test('issue NAME changes only its nodes\' certificate lines, and the file is exactly what a whole write makes', () => {
  const w = vault(6);
  const before = fileOf(w);
  const r = w.cli('issue', 's1', 's4', 's1');
  assert.equal(r.code, 0, r.stderr);
  const now = fileOf(w);
  const parsed = inventorySchema.parse(JSON.parse(now)) as Inv;
  assert.equal(now, inventoryText(parsed), 'the same bytes as a whole write of the same inventory');
  // Every line but the two superseded certificates' is as it was; two new lines, at the end of the list.
  const old = new Set(linesOf(before));
  const changed = linesOf(now).filter((l) => !old.has(l));
  const ids = new Set(parsed.nodes.filter((n) => n.name === 's1' || n.name === 's4').map((n) => n.id));
  assert.equal(changed.length, 4, changed.join('\n'));
  for (const l of changed) assert.ok(ids.has((JSON.parse(l) as { nodeId: string }).nodeId), l);
  const mine = parsed.certs.filter((c) => ids.has(c.nodeId!));
  assert.deepEqual(mine.map((c) => c.status).sort(), ['active', 'active', 'superseded', 'superseded']);
  assert.deepEqual(parsed.certs.slice(-2).map((c) => c.node), ['s1', 's4']);
  assert.equal(parsed.certs.filter((c) => c.status === 'active').length, 6);
  // The next whole check (no stamp) accepts it, and readers agree.
  rmSync(join(w.home, '.inventory.sha256'));
  const status = JSON.parse(w.cli('--json', 'status').stdout) as { rows: Array<{ name: string; serial: string | null }> };
  assert.equal(status.rows.find((x) => x.name === 's4')!.serial, parsed.certs.at(-1)!.serial);
});

test('a file changed by hand since the last write gets the whole check: a damaged record elsewhere refuses the change, nothing written', () => {
  const w = vault(4);
  const inv = JSON.parse(fileOf(w)) as Inv;
  (inv.nodes[3] as unknown as { server: string }).server = 'yes';
  const edited = inventoryText(inv);
  writeFileSync(join(w.home, 'inventory.json'), edited);
  const r = w.cli('issue', 's0');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /damaged at nodes\.3\.server/);
  assert.equal(fileOf(w), edited, 'unchanged');
});

test('a name that is not a node, or one crafted to match JSON, is refused and nothing is written', () => {
  const w = vault(3);
  const before = fileOf(w);
  for (const name of ['s9', 's1"', 's1\\', '"name":"s1"', 's1","x']) {
    const r = w.cli('issue', name);
    assert.notEqual(r.code, 0, name);
    assert.match(r.stderr, /no node named|name/, name);
  }
  assert.equal(fileOf(w), before);
});

test('two issues of different nodes at once both land (the second reads under the lock what the first wrote)', async () => {
  const w = vault(5);
  const run = (name: string) =>
    new Promise<number>((done) => {
      const p = spawn(process.execPath, [CLI, '--home', w.home, '--passphrase-file', w.pass, 'issue', name], { stdio: 'ignore' });
      p.on('exit', (code) => done(code ?? 1));
    });
  assert.deepEqual(await Promise.all([run('s0'), run('s3')]), [0, 0]);
  const inv = inventorySchema.parse(JSON.parse(fileOf(w))) as Inv;
  for (const name of ['s0', 's3']) {
    const id = inv.nodes.find((n) => n.name === name)!.id;
    assert.deepEqual(inv.certs.filter((c) => c.nodeId === id).map((c) => c.status), ['superseded', 'active'], name);
  }
  assert.equal(fileOf(w), inventoryText(inv));
});
