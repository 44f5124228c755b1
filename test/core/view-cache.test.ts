// The app's list views (nodes, lifecycle, push targets, history) are computed once per vault change
// and reused while nothing changed; a change by another process, the clock moving on or a new
// expiry threshold each give a fresh view, and no caller can alter what the next one gets.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createContext, type CoreContext } from '../../src-main/core/context.ts';
import { createHandlers } from '../../src-main/ipc/handlers/index.ts';
import { dispatch } from '../../src-main/ipc/registry.ts';
import { jsonTextOf } from '../../src-main/ipc/view-cache.ts';
import type { AuditRow, Channel, LifecycleView, NodeRow, PushTarget, Result } from '../../src-main/ipc/contract.ts';
import { plainHost } from '../helpers/ipc-host.ts';
import { cleanup, workspace } from '../helpers/cli.ts';
import { ok } from './helpers.ts';

const spaces: string[] = [];
after(() => cleanup(...spaces));

const DAY = 86_400_000;

function setup() {
  const w = workspace();
  spaces.push(w.dir);
  ok(w.cli('--json', 'ca', 'init', '--name', 'View CA', '--key', 'ecdsa-p256', '--days', '3650'));
  ok(w.cli('--json', 'node', 'add', 'a', '--ip', '10.7.0.1'));
  ok(w.cli('--json', 'node', 'add', 'b', '--ip', '10.7.0.2'));
  ok(w.cli('--json', 'issue', 'a', '--days', '40'));
  let clock = Date.now();
  let warnDays = 30;
  let ctx: CoreContext | null = null;
  const host = {
    ...plainHost(w.home, w.pass),
    context: () => (ctx ??= { ...createContext({ home: w.home, passphraseFile: w.pass }), now: () => new Date(clock), warnDays: () => warnDays }),
  };
  const handlers = createHandlers(host);
  const value = async <T>(channel: Channel, raw?: unknown): Promise<T> => {
    const r = (await dispatch(handlers, channel, raw, { emit: () => {} })) as Result<T>;
    assert.ok(r.ok, `${channel}: ${!r.ok ? r.error.message : ''}`);
    return r.value;
  };
  return { w, value, tick: (ms: number) => (clock += ms), setWarnDays: (d: number) => (warnDays = d) };
}

test('an unchanged vault gives the same frozen views (and JSON text); a change by the CLI gives fresh ones', async () => {
  const { w, value } = setup();
  const nodes = await value<NodeRow[]>('listNodes');
  const life = await value<LifecycleView>('getLifecycle');
  const targets = await value<PushTarget[]>('listPushTargets');
  assert.equal(await value('listNodes'), nodes, 'nodes: reused');
  assert.equal(await value('getLifecycle'), life, 'lifecycle: reused');
  assert.equal(await value('listPushTargets'), targets, 'push targets: reused');
  assert.equal(jsonTextOf(nodes), jsonTextOf(nodes));
  assert.deepEqual(JSON.parse(jsonTextOf(life)), life);
  // Nobody can change what the next caller gets.
  assert.throws(() => (nodes as NodeRow[]).pop(), TypeError);
  assert.throws(() => ((nodes[0] as { state: string }).state = 'ok'), TypeError);
  assert.throws(() => ((life as { due: number }).due = 99), TypeError);
  assert.throws(() => (life.rows as unknown[]).push({}), TypeError);
  assert.equal(nodes.find((n) => n.name === 'b')!.state, 'none');

  // Another process issues b and adds c: every view shows it on the next call.
  ok(w.cli('--json', 'issue', 'b', '--days', '40'));
  ok(w.cli('--json', 'node', 'add', 'c', '--ip', '10.7.0.3'));
  const nodes2 = await value<NodeRow[]>('listNodes');
  assert.notEqual(nodes2, nodes);
  assert.deepEqual(nodes2.map((n) => [n.name, n.state]), [['a', 'ok'], ['b', 'ok'], ['c', 'none']]);
  const life2 = await value<LifecycleView>('getLifecycle');
  assert.equal(life2.counts.ok, 2);
  assert.equal(life2.counts.none, 1);
  assert.deepEqual((await value<PushTarget[]>('listPushTargets')).map((t) => t.name), ['a', 'b', 'c']);
  assert.ok(jsonTextOf(nodes2).includes('"c"') && !jsonTextOf(nodes).includes('"c"'), 'the JSON text follows the new view');
});

test('the clock and the expiry threshold are part of a view: days left and states follow them', async () => {
  const { value, tick, setWarnDays } = setup();
  const before = await value<LifecycleView>('getLifecycle');
  const a0 = before.rows.find((r) => r.name === 'a')!;
  assert.equal(a0.state, 'ok');
  tick(20 * DAY);
  const later = await value<LifecycleView>('getLifecycle');
  assert.notEqual(later, before);
  const a1 = later.rows.find((r) => r.name === 'a')!;
  assert.equal(a1.daysLeft, a0.daysLeft! - 20);
  assert.equal(a1.state, 'renew', '20 days left is under the 30-day threshold');
  assert.equal(later.due, 1);
  setWarnDays(10);
  const raised = await value<LifecycleView>('getLifecycle');
  assert.equal(raised.rows.find((r) => r.name === 'a')!.state, 'ok', '20 days left: over a 10-day threshold and before the last third of 40 days');
  tick(-20 * DAY);
  setWarnDays(30);
  assert.equal((await value<NodeRow[]>('listNodes')).find((n) => n.name === 'a')!.state, 'ok');
  assert.equal((await value<PushTarget[]>('listPushTargets')).find((n) => n.name === 'a')!.state, 'ok');
  tick(39 * DAY);
  assert.equal((await value<NodeRow[]>('listNodes')).find((n) => n.name === 'a')!.state, 'renew');
  assert.equal((await value<PushTarget[]>('listPushTargets')).find((n) => n.name === 'a')!.state, 'renew');
  tick(2 * DAY);
  assert.equal((await value<NodeRow[]>('listNodes')).find((n) => n.name === 'a')!.state, 'expired');
});

test('the history is re-read when the audit log grows, and not otherwise', async () => {
  const { w, value } = setup();
  const first = await value<AuditRow[]>('getAuditLog', { limit: 100 });
  assert.equal(await value('getAuditLog', { limit: 100 }), first, 'an unchanged log is not parsed again');
  assert.throws(() => (first as AuditRow[]).reverse(), TypeError, 'the shared answer cannot be reordered');
  assert.equal(jsonTextOf(first), jsonTextOf(first));
  ok(w.cli('--json', 'issue', 'b'));
  const grown = await value<AuditRow[]>('getAuditLog', { limit: 100 });
  assert.equal(grown.length, first.length + 1);
  assert.equal(grown[0]!.node, 'b', 'newest first');
  const onlyA = await value<AuditRow[]>('getAuditLog', { node: 'a', limit: 100 });
  assert.ok(onlyA.length > 0 && onlyA.every((e) => e.node === 'a'), 'another filter is another answer');
  assert.equal((await value<AuditRow[]>('getAuditLog', { limit: 1 })).length, 1, 'another limit is another answer');
});

test('warmLifecycle readies the Lifecycle view and history without answering them; later answers are those of a cold start', async () => {
  const cold = setup();
  const life = await cold.value<LifecycleView>('getLifecycle');
  const log = await cold.value<AuditRow[]>('getAuditLog', { limit: 100 });
  const onlyA = await cold.value<AuditRow[]>('getAuditLog', { node: 'a', limit: 100 });
  const warm = setup();
  assert.equal(await warm.value('warmLifecycle', { historyLimit: 100 }), null, 'no rows cross');
  const strip = (rows: AuditRow[]) => rows.map((r) => [r.action, r.node, r.outcome]); // two vaults: their own serials and times
  assert.deepEqual(strip(await warm.value<AuditRow[]>('getAuditLog', { limit: 100 })), strip(log));
  assert.deepEqual(strip(await warm.value<AuditRow[]>('getAuditLog', { node: 'a', limit: 100 })), strip(onlyA), 'the warmed history is not served for a filter');
  assert.equal((await warm.value<AuditRow[]>('getAuditLog', { limit: 1 })).length, 1, 'nor for another limit');
  const warmLife = await warm.value<LifecycleView>('getLifecycle');
  assert.deepEqual(warmLife.counts, life.counts);
  assert.deepEqual(warmLife.rows.map((r) => [r.kind, r.name, r.state]), life.rows.map((r) => [r.kind, r.name, r.state]));
  ok(warm.w.cli('--json', 'issue', 'b'));
  assert.equal((await warm.value<AuditRow[]>('getAuditLog', { limit: 100 })).length, log.length + 1, 'a grown log is read again after a warm-up');
});

test('nodesRevision stays while listNodes would give the same list, and changes with the vault, the minute and the threshold', async () => {
  const { w, value, tick, setWarnDays } = setup();
  const r1 = await value<string>('nodesRevision');
  const rows = await value<NodeRow[]>('listNodes');
  assert.equal(await value<string>('nodesRevision'), r1, 'nothing changed');
  assert.equal(await value('listNodes'), rows);
  // Another process changes the vault: a new revision, and a new list with it.
  ok(w.cli('--json', 'node', 'add', 'c', '--ip', '10.7.0.3'));
  const r2 = await value<string>('nodesRevision');
  assert.notEqual(r2, r1);
  assert.deepEqual((await value<NodeRow[]>('listNodes')).map((n) => n.name), ['a', 'b', 'c']);
  assert.equal(await value<string>('nodesRevision'), r2);
  // States and days left follow the clock (a view is kept a minute) and the expiry threshold.
  tick(61_000);
  const r3 = await value<string>('nodesRevision');
  assert.notEqual(r3, r2);
  setWarnDays(45);
  assert.notEqual(await value<string>('nodesRevision'), r3);
  // It takes no request, like listNodes.
  const bad = (await dispatch(createHandlers(plainHost(w.home, w.pass)), 'nodesRevision', { since: 'x' }, { emit: () => {} })) as Result<string>;
  assert.equal(bad.ok, false);
});
