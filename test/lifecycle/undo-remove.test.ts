// Undo of a remove (issue 14): main keeps the removed records for the undo window only, takes them
// once, and a restore puts back the same records (a kept certificate is theirs again) or, when a
// name was taken meanwhile, nothing at all.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createContext } from '../../src-main/core/context.ts';
import { addNodes } from '../../src-main/core/nodes.ts';
import { removeNodes } from '../../src-main/lifecycle/remove-node.ts';
import { restoreNodes } from '../../src-main/lifecycle/restore-node.ts';
import { RemovedNodes } from '../../src-main/ipc/removed-nodes.ts';
import { UserError } from '../../src-main/errors.ts';
import { cleanup, snapshot, workspace } from '../helpers/cli.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

function fresh() {
  const ws = workspace();
  dirs.push(ws.dir);
  assert.equal(ws.cli('ca', 'init', '--name', 'Undo CA').code, 0);
  for (const [n, ip] of [['a1', '10.0.0.1'], ['a2', '10.0.0.2']]) assert.equal(ws.cli('node', 'add', n!, '--ip', ip!).code, 0);
  assert.equal(ws.cli('issue', 'a1').code, 0);
  return { ws, ctx: createContext({ home: ws.home, passphraseFile: ws.pass }) };
}

test('the records are kept for the window only, and taken once', async () => {
  const { ctx } = fresh();
  const kept = new RemovedNodes(0.2);
  const removed = await removeNodes(ctx, ['a2']);
  const token = kept.put(removed);
  assert.equal(kept.take(token)[0]!.record.name, 'a2');
  assert.throws(() => kept.take(token), (e: unknown) => e instanceof UserError && e.code === 'not-found', 'taken once');
  const late = kept.put(removed);
  await new Promise((r) => setTimeout(r, 400));
  assert.throws(() => kept.take(late), /the time to undo this remove has passed/);
});

test('restore: the same records come back with their kept certificates; a name taken meanwhile restores nothing', async () => {
  const { ws, ctx } = fresh();
  const before = ctx.vault.read().nodes.map((n) => ({ ...n }));
  const removed = await removeNodes(ctx, ['a1', 'a2'], { cert: 'keep' });
  assert.deepEqual(ctx.vault.read().nodes, []);

  await addNodes(ctx, [{ name: 'a2', ips: ['10.0.0.9'] }]);
  const vaultBefore = snapshot(ws.home);
  delete vaultBefore['audit.jsonl'];
  await assert.rejects(restoreNodes(ctx, removed), /a node named "a2" was added after the remove; nothing was restored/);
  const after = snapshot(ws.home);
  delete after['audit.jsonl'];
  assert.deepEqual(after, vaultBefore, 'nothing changed');

  assert.equal(ws.cli('node', 'remove', 'a2').code, 0);
  const restored = await restoreNodes(ctx, removed);
  assert.deepEqual(restored, [{ node: 'a1', revoked: false }, { node: 'a2', revoked: false }]);
  const inv = ctx.vault.read();
  assert.deepEqual(inv.nodes.map((n) => n.id), before.map((n) => n.id), 'the same ids');
  const status = JSON.parse(ws.cli('--json', 'node', 'list').stdout) as Array<{ name: string; state: string }>;
  assert.equal(status.find((s) => s.name === 'a1')?.state, 'ok', 'a1 holds its kept certificate again');
  const audit = readFileSync(join(ws.home, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; node?: string });
  assert.deepEqual(audit.slice(-2).map((e) => `${e.action} ${e.node}`), ['node.restore a1', 'node.restore a2']);
});
