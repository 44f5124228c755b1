import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { workspace, sh, cleanup } from '../helpers/cli.ts';
import { inventory, latest, ok, seed, spawnCli, waitExit, type Ws } from './helpers.ts';

/**
 * SIGKILL at chosen points of `renew --due` and `ca rotate`: while keys are being made, when the
 * first new file lands in the vault, and while inventory.json's replacement is being written. After
 * each, the vault must open with every certificate (and CA) either all old or all new.
 */

const NODES = Array.from({ length: 12 }, (_, i) => `crash-${String(i).padStart(2, '0')}`);
const workspaces: Ws[] = [];
after(() => workspaces.forEach((w) => cleanup(w.dir)));

type Trigger = (kill: (why: string) => void, child: ChildProcess) => () => void;

/** Runs the CLI and kills it with SIGKILL when the trigger fires; says whether it was killed. */
async function runAndKill(ws: Ws, args: string[], trigger: Trigger): Promise<boolean> {
  const child = spawnCli(ws, args);
  let fired = false;
  const disarm = trigger((_why) => {
    if (!fired && child.exitCode === null && child.signalCode === null) {
      fired = true;
      child.kill('SIGKILL');
    }
  }, child);
  await waitExit(child);
  disarm();
  return child.signalCode === 'SIGKILL';
}

const afterProgress = (k: number): Trigger => (kill, child) => {
  child.stderr!.on('data', (d: Buffer) => {
    for (const m of d.toString().matchAll(/\[(\d+)\/\d+\]/g)) if (Number(m[1]) >= k) kill(`after ${k} keys`);
  });
  return () => {};
};

/** Fires after `ms` (any moment is a fair kill; no timing is asserted). */
const afterMs = (ms: number): Trigger => (kill) => {
  const t = setTimeout(() => kill('timer'), ms);
  return () => clearTimeout(t);
};

const onFile = (dir: string, match: (name: string) => boolean): Trigger => (kill) => {
  const watcher: FSWatcher = watch(dir, (_event, name) => {
    if (name && match(name.toString())) kill(`on ${name}`);
  });
  return () => watcher.close();
};

function packHas(ws: Ws, pack: string, serial: string): boolean {
  const file = join(ws.home, 'packs', `${pack}.json`);
  return existsSync(file) && serial in (JSON.parse(readFileSync(file, 'utf8')) as { certs: Record<string, unknown> }).certs;
}

/** The vault opens; every node is on its old certificate or every node on a new one; every record's files exist. */
function assertWhole(ws: Ws, original: Map<string, string>): 'old' | 'new' {
  const status = ws.cli('status', '--json');
  assert.ok(status.code === 0 || status.code === 2, `status after the kill: ${status.stderr}`);
  const inv = inventory(ws);
  const sides = new Set(NODES.map((n) => (latest(inv, n)!.serial === original.get(n) ? 'old' : 'new')));
  assert.equal(sides.size, 1, 'never some nodes renewed and others not');
  for (const c of inv.certs) assert.ok(packHas(ws, c.pack, c.serial), `certificate ${c.serial} is in its pack`);
  for (const n of NODES) assert.equal(inv.certs.filter((c) => c.node === n && c.status === 'active').length, 1, `${n} has one live certificate`);
  const dir = join(ws.dir, `check-${Math.random().toString(36).slice(2)}`);
  ok(ws.cli('bundle', NODES[0]!, '--out', dir), 'bundle after the kill');
  const certKey = sh('openssl', ['x509', '-in', join(dir, 'node.crt'), '-noout', '-pubkey']);
  const key = sh('openssl', ['pkey', '-in', join(dir, 'node.key'), '-pubout']);
  assert.equal(certKey, key, 'the bundle\'s key matches its certificate');
  return [...sides][0] as 'old' | 'new';
}

test('SIGKILL during renew --due leaves every certificate all old or all new', async (t) => {
  const ws = workspace();
  workspaces.push(ws);
  seed(ws, NODES, { key: 'rsa-2048' });
  const args = ['renew', '--due', '--within', '400'];
  const triggers: Array<[string, Trigger]> = [
    ['half-way through making keys', afterProgress(NODES.length / 2)],
    ['when the new pack file appears', onFile(join(ws.home, 'packs'), (n) => n.endsWith('.tmp') || n.endsWith('.json'))],
    ['while inventory.json is being replaced', onFile(ws.home, (n) => n.startsWith('.inventory.json.'))],
  ];
  let killed = 0;
  for (const [when, trigger] of triggers) {
    const original = new Map(NODES.map((n) => [n, latest(inventory(ws), n)!.serial]));
    const wasKilled = await runAndKill(ws, args, trigger);
    if (wasKilled) killed++;
    const side = assertWhole(ws, original);
    t.diagnostic(`${when}: ${wasKilled ? 'killed' : 'finished first'}, vault ${side}`);
    if (!wasKilled) assert.equal(side, 'new', `${when}: it finished, so everything is new`);
  }
  assert.ok(killed >= 1, 'at least one run was really killed part-way');
  // The lock a killed process left is taken over, and a full run still works.
  ok(ws.cli('renew', '--due', '--within', '400'), 'renew after the kills');
  assert.equal(ws.cli('status').code, 0);
});

test('SIGKILL during ca rotate leaves one active CA, with or without the new one, never half', async (t) => {
  const ws = workspace();
  workspaces.push(ws);
  seed(ws, NODES.slice(0, 2));
  ok(ws.cli('revoke', NODES[1]!), 'revoke (so rotation also re-signs CRLs)');
  const triggers: Trigger[] = [
    // While the RSA-4096 key is being generated (not a timing assertion: any moment is a fair kill).
    afterMs(150),
    onFile(join(ws.home, 'cas'), () => true),
    onFile(ws.home, (n) => n.startsWith('.inventory.json.')),
  ];
  let killed = 0;
  for (const trigger of triggers) {
    const before = inventory(ws);
    const wasKilled = await runAndKill(ws, ['ca', 'rotate', '--key', 'rsa-4096'], trigger);
    if (wasKilled) killed++;
    const status = ws.cli('ca', 'status', '--json');
    assert.equal(status.code, 0, status.stderr);
    const inv = inventory(ws);
    const statuses = inv.cas.map((c) => c.status);
    t.diagnostic(`rotate ${wasKilled ? 'killed' : 'finished first'}: CAs ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 'active').length, 1, 'exactly one active CA');
    assert.ok(
      (inv.cas.length === before.cas.length && JSON.stringify(inv.cas) === JSON.stringify(before.cas)) ||
        (inv.cas.length === before.cas.length + 1 && statuses.join(',') === 'previous,active'),
      `all old or all new: ${statuses.join(',')}`,
    );
    for (const ca of inv.cas) {
      assert.ok(existsSync(join(ws.home, 'cas', ca.id, 'ca.crt')) && existsSync(join(ws.home, 'cas', ca.id, 'ca.key')), 'the CA files it names exist');
      if (inv.crl) assert.ok(existsSync(join(ws.home, 'cas', ca.id, 'crl.pem')), 'each trusted CA has its CRL');
    }
    ok(ws.cli('issue', NODES[0]!), 'issuing works after the kill');
    ok(ws.cli('bundle', NODES[0]!, '--out', join(ws.dir, `b-${killed}-${inv.cas.length}-${Math.random().toString(36).slice(2)}`)), 'bundle');
    if (inv.cas.length === 2) break; // rotated: a second rotation is refused until retire-old
  }
  assert.ok(killed >= 1, 'at least one run was really killed part-way');
  if (inventory(ws).cas.length === 1) ok(ws.cli('ca', 'rotate'), 'rotate after the kills');
  assert.deepEqual(inventory(ws).cas.map((c) => c.status), ['previous', 'active']);
});

test('SIGKILL during a two-tier root rotation leaves the old root and intermediate alone, or both new ones in place, never a root without its intermediate', async (t) => {
  const ws = workspace();
  workspaces.push(ws);
  ok(ws.cli('ca', 'init', '--intermediate', '--name', 'Crash Two Tier'), 'ca init --intermediate');
  for (const n of NODES.slice(0, 2)) ok(ws.cli('node', 'add', n, '--ip', '127.0.0.1'), `node add ${n}`);
  ok(ws.cli('issue', '--all'), 'issue --all');
  ok(ws.cli('revoke', NODES[1]!), 'revoke (so rotation also re-signs CRLs)');
  const triggers: Trigger[] = [
    afterMs(150),
    onFile(join(ws.home, 'roots'), () => true),
    onFile(ws.home, (n) => n.startsWith('.inventory.json.')),
  ];
  type TwoTierInv = { cas: Array<{ id: string; status: string; rootId?: string }>; roots: Array<{ id: string }>; crl?: unknown };
  let killed = 0;
  for (const trigger of triggers) {
    const before = inventory(ws) as unknown as TwoTierInv;
    const wasKilled = await runAndKill(ws, ['ca', 'rotate', '--key', 'rsa-4096'], trigger);
    if (wasKilled) killed++;
    const status = ws.cli('ca', 'status', '--json');
    assert.equal(status.code, 0, status.stderr);
    const inv = inventory(ws) as unknown as TwoTierInv;
    const statuses = inv.cas.map((c) => c.status);
    t.diagnostic(`root rotation ${wasKilled ? 'killed' : 'finished first'}: CAs ${statuses.join(',')}, ${inv.roots.length} root(s)`);
    const unchanged = JSON.stringify([inv.cas, inv.roots]) === JSON.stringify([before.cas, before.roots]);
    const rotated = statuses.join(',') === 'previous,active' && inv.roots.length === 2 && inv.cas[1]!.rootId === inv.roots[1]!.id;
    assert.ok(unchanged || rotated, `all old or all new: ${statuses.join(',')} with ${inv.roots.length} root(s)`);
    for (const r of inv.roots) assert.ok(existsSync(join(ws.home, 'roots', r.id, 'root.crt')) && existsSync(join(ws.home, 'roots', r.id, 'root.key')), 'the root files it names exist');
    for (const ca of inv.cas) {
      assert.ok(existsSync(join(ws.home, 'cas', ca.id, 'ca.crt')) && existsSync(join(ws.home, 'cas', ca.id, 'ca.key')), 'the CA files it names exist');
      if (inv.crl) assert.ok(existsSync(join(ws.home, 'cas', ca.id, 'crl.pem')), 'each trusted CA has its CRL');
    }
    ok(ws.cli('issue', NODES[0]!), 'issuing works after the kill');
    const dir = join(ws.dir, `b2-${killed}-${inv.roots.length}-${Math.random().toString(36).slice(2)}`);
    ok(ws.cli('bundle', NODES[0]!, '--out', dir), 'bundle');
    assert.equal((readFileSync(join(dir, 'ca.crt'), 'utf8').match(/BEGIN CERTIFICATE/g) ?? []).length, inv.roots.length, 'ca.crt holds each root in use');
    if (rotated) break;
  }
  assert.ok(killed >= 1, 'at least one run was really killed part-way');
  if ((inventory(ws) as unknown as TwoTierInv).roots.length === 1) ok(ws.cli('ca', 'rotate'), 'rotate after the kills');
  assert.deepEqual(inventory(ws).cas.map((c) => c.status), ['previous', 'active']);
});
