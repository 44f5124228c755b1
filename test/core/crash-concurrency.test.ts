// The vault survives a SIGKILL in the middle of bulk issuance, and concurrent CLI processes
// neither corrupt it nor lose a change (the lock).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, cleanup, sh } from '../helpers/cli.ts';
import { bundle, ok, withCa, type Workspace } from './helpers.ts';
import { createContext } from '../../src-main/core/context.ts';
import { addNodes } from '../../src-main/core/nodes.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));
function track(ws: Workspace): Workspace {
  dirs.push(ws.dir);
  return ws;
}

interface Inv {
  nodes: Array<{ name: string }>;
  certs: Array<{ serial: string; node: string; pack: string; hasKey: boolean; fingerprint: string }>;
}

/** Adds many nodes in one transaction through the core (300 CLI processes would only be slow). */
async function addMany(ws: Workspace, prefix: string, count: number): Promise<void> {
  const ctx = createContext({ home: ws.home, passphraseFile: ws.pass });
  await addNodes(ctx, Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i}`, dns: [`${prefix}-${i}.cluster.test`], ips: [`10.${Math.floor(i / 250)}.${i % 250}.1`] })));
}

/** Starts `issue`, SIGKILLs it when `when(stderr)` first holds (plus an optional delay), resolves with how it ended. */
function killDuring(ws: Workspace, args: string[], when: (stderr: string) => boolean, delayMs = 0): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, '--home', ws.home, '--passphrase-file', ws.pass, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let armed = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!armed && when(stderr)) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/**
 * The vault opens through the CLI, and every certificate the inventory lists is complete: its pack
 * holds the certificate (and its key when it says so), it verifies against the CA, and the key
 * belongs to it. Returns the inventory.
 */
function assertConsistent(ws: Workspace): Inv {
  const listed = ok<Array<{ name: string; serial: string | null }>>(ws.cli('--json', 'node', 'list'));
  const inv = JSON.parse(readFileSync(join(ws.home, 'inventory.json'), 'utf8')) as Inv;
  assert.equal(listed.length, inv.nodes.length);
  const caFile = join(ws.dir, 'ca-check.crt');
  if (!existsSync(caFile)) ok(ws.cli('--json', 'ca', 'export', '--out', caFile));
  for (const c of inv.certs) {
    const packFile = join(ws.home, 'packs', `${c.pack}.json`);
    assert.ok(existsSync(packFile), `certificate ${c.serial} points to a missing pack`);
    const entry = (JSON.parse(readFileSync(packFile, 'utf8')) as { certs: Record<string, { cert: string; key: string | null }> }).certs[c.serial];
    assert.ok(entry, `pack ${c.pack} lacks ${c.serial}`);
    assert.equal(Boolean(entry.key), c.hasKey);
  }
  for (const n of listed.filter((x) => x.serial)) {
    const dir = bundle(ws, n.name);
    assert.match(sh('openssl', ['verify', '-CAfile', caFile, join(dir, 'node.crt')]), /OK/);
    assert.equal(sh('openssl', ['pkey', '-in', join(dir, 'node.key'), '-pubout']), sh('openssl', ['x509', '-in', join(dir, 'node.crt'), '-noout', '-pubkey']));
  }
  return inv;
}

test('SIGKILL during bulk issuance of 300 RSA-2048 certificates: the vault opens and holds only complete certificates', async () => {
  const ws = track(withCa('ecdsa-p256'));
  await addMany(ws, 'bulk', 300);
  // some certificates issued before the crash must survive it untouched
  ok(ws.cli('--json', 'issue', 'bulk-0', 'bulk-1', 'bulk-2'));
  const before = assertConsistent(ws);
  assert.equal(before.certs.length, 3);

  const run = await killDuring(ws, ['issue', '--all', '--key', 'rsa-2048'], (s) => /^\[1\/300\] /m.test(s));
  assert.equal(run.signal, 'SIGKILL', `the process ended by itself first: ${run.stderr.slice(-300)}`);
  const inv = assertConsistent(ws);
  assert.equal(inv.nodes.length, 300);
  // the batch is one transaction: killed before it was written, none of it is listed
  assert.deepEqual(inv.certs.map((c) => c.serial).sort(), before.certs.map((c) => c.serial).sort());
  // the dead process's lock does not block the next writer
  ok(ws.cli('--json', 'node', 'add', 'after-crash', '--ip', '10.9.9.9'));
  ok(ws.cli('--json', 'issue', 'after-crash', 'bulk-10'));
  assert.equal(assertConsistent(ws).certs.length, 5);
});

test('SIGKILL around the moment the batch is written, at several delays: always all of the batch or none', async () => {
  const ws = track(withCa('ecdsa-p256'));
  await addMany(ws, 'w', 40);
  const outcomes: number[] = [];
  // Up to 160 ms: under load every kill up to 40 ms could come before the write, and the test saw only "none".
  for (const delay of [0, 2, 5, 10, 20, 40, 80, 160]) {
    const before = (JSON.parse(readFileSync(join(ws.home, 'inventory.json'), 'utf8')) as Inv).certs.length;
    const run = await killDuring(ws, ['issue', '--all'], (s) => /^\[40\/40\] /m.test(s), delay);
    const inv = assertConsistentQuick(ws);
    const added = inv.certs.length - before;
    assert.ok(added === 0 || added === 40, `a partial batch landed: ${added} of 40 (exit ${run.code ?? run.signal})`);
    outcomes.push(added);
  }
  // The full check (openssl on every listed certificate) once at the end.
  assertConsistent(ws);
  // Temp files of killed writes are never mistaken for vault files.
  // (No packs folder: no kill came late enough for a write to start, so none left anything.)
  const packs = join(ws.home, 'packs');
  const stray = existsSync(packs) ? readdirSync(packs).filter((f) => !f.endsWith('.json')) : [];
  assert.ok(stray.every((f) => f.startsWith('.') && f.endsWith('.tmp')), `unexpected files: ${stray.join(', ')}`);
  void outcomes;
});

/** The cheap part of assertConsistent: opens, parses, every cert's pack entry exists. */
function assertConsistentQuick(ws: Workspace): Inv {
  ok(ws.cli('--json', 'node', 'list'));
  const inv = JSON.parse(readFileSync(join(ws.home, 'inventory.json'), 'utf8')) as Inv;
  for (const c of inv.certs) {
    const pack = JSON.parse(readFileSync(join(ws.home, 'packs', `${c.pack}.json`), 'utf8')) as { certs: Record<string, unknown> };
    assert.ok(pack.certs[c.serial], `${c.serial} missing from its pack`);
  }
  return inv;
}

test('concurrent writers: parallel `node add` never corrupt the vault nor lose a node', async () => {
  const ws = track(withCa('ecdsa-p256'));
  const rounds = 12;
  const width = 3;
  for (let r = 0; r < rounds; r++) {
    const runs = await Promise.all(Array.from({ length: width }, (_, i) => ws.cliAsync('--json', 'node', 'add', `c-${r}-${i}`, '--ip', `10.1.${r}.${i + 1}`)));
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
  }
  const names = ok<Array<{ name: string }>>(ws.cli('--json', 'node', 'list')).map((n) => n.name).sort();
  const expected = Array.from({ length: rounds * width }, (_, k) => `c-${Math.floor(k / width)}-${k % width}`).sort();
  assert.deepEqual(names, expected);
});

test('concurrent writers: the same name added by racing processes lands exactly once', async () => {
  const ws = track(withCa('ecdsa-p256'));
  for (let r = 0; r < 6; r++) {
    const runs = await Promise.all([0, 1, 2].map((i) => ws.cliAsync('node', 'add', `same-${r}`, '--ip', `10.2.${r}.${i + 1}`)));
    const winners = runs.filter((x) => x.code === 0);
    assert.equal(winners.length, 1, runs.map((x) => x.stderr).join(''));
    for (const loser of runs.filter((x) => x.code !== 0)) assert.match(loser.stderr, /^cluster-trust: a node named "same-\d" already exists\n$/);
  }
  assert.equal(ok<unknown[]>(ws.cli('--json', 'node', 'list')).length, 6);
});

test('concurrent writers: issuing and adding at the same time lose nothing', async () => {
  const ws = track(withCa('ecdsa-p256'));
  await addMany(ws, 'p', 6);
  for (let r = 0; r < 4; r++) {
    const runs = await Promise.all([
      ws.cliAsync('--json', 'issue', `p-${r}`),
      ws.cliAsync('--json', 'issue', `p-${r + 1}`),
      ws.cliAsync('--json', 'node', 'add', `q-${r}`, '--ip', `10.3.${r}.1`),
    ]);
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
  }
  const inv = assertConsistent(ws);
  assert.equal(inv.certs.length, 8, 'every issue landed');
  assert.equal(inv.nodes.length, 10);
});

test('one process (the desktop app): operations that overlap wait their turn instead of failing, and the thread stays free', async () => {
  const ws = track(withCa('ecdsa-p256'));
  const ctx = createContext({ home: ws.home, passphraseFile: ws.pass });
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 5);
  try {
    // The first write holds the vault across an await; the others arrive meanwhile.
    const slow = ctx.vault.update(async (inv) => {
      await new Promise((r) => setTimeout(r, 300));
      inv.nodes.push({ id: '5105105105105105', name: 'slow', dns: [], ips: ['10.4.0.1'], server: true, client: false, profile: 'generic', loopback: false, options: {}, createdAt: 'x', updatedAt: 'x' });
    });
    const others = Promise.all([addNodes(ctx, [{ name: 'fast-1', ips: ['10.4.0.2'] }]), addNodes(ctx, [{ name: 'fast-2', ips: ['10.4.0.3'] }])]);
    await Promise.all([slow, others]);
  } finally {
    clearInterval(ticker);
  }
  assert.ok(ticks >= 20, `timers ran while writers waited (${ticks} ticks)`);
  assert.deepEqual(ctx.vault.read().nodes.map((n) => n.name).sort(), ['fast-1', 'fast-2', 'slow']);
  assert.equal(existsSync(join(ws.home, '.lock')), false, 'the lock is released');
});

test('one process: a writer that waits longer than the lock allows gets a clear error; a lock naming this pid from a dead process is taken over', async () => {
  const ws = track(withCa('ecdsa-p256'));
  const ctx = createContext({ home: ws.home, passphraseFile: ws.pass });
  const { acquireLock } = await import('../../src-main/vault/lock.ts');
  const release = await acquireLock(join(ws.home, '.lock'));
  await assert.rejects(acquireLock(join(ws.home, '.lock'), 200), /the vault is busy with another operation of this app/);
  release();
  // After the timed-out waiter, the queue is free again.
  await addNodes(ctx, [{ name: 'after', ips: ['10.4.1.1'] }]);
  writeFileSync(join(ws.home, '.lock'), `${process.pid}\n`);
  await addNodes(ctx, [{ name: 'inherited', ips: ['10.4.1.2'] }]);
  assert.deepEqual(ctx.vault.read().nodes.map((n) => n.name).sort(), ['after', 'inherited']);
});
