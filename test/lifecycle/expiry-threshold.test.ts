// Issue 14, item 5: certificate state in absolute days. A 20-day certificate with 19 days left is
// due under the default 30-day threshold (it was "ok" when only the last third of life counted);
// `status --within` and the app's setting move the threshold; the CRL keeps its own window.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspace, cleanup, tempDir } from '../helpers/cli.ts';
import { fakeCli, ok } from './helpers.ts';
import { certState, DEFAULT_WARN_DAYS } from '../../src-main/core/status.ts';
import { createContext } from '../../src-main/core/context.ts';
import { statusReport } from '../../src-main/lifecycle/status.ts';
import { newNotices, readSettings, writeSettings } from '../../src-main/lifecycle/expiry-watch.ts';

const ws = workspace();
after(() => cleanup(ws.dir));
ok(ws.cli('ca', 'init', '--name', 'Threshold CA'), 'ca init');
ok(ws.cli('node', 'add', 'short', '--ip', '10.0.0.1'), 'add short');
ok(ws.cli('node', 'add', 'long', '--ip', '10.0.0.2'), 'add long');
// Issued 22 hours ago for 20 days: 19 whole days left today.
ok(fakeCli(ws, '-22h', 'issue', 'short', '--days', '20'), 'issue short');
ok(ws.cli('issue', 'long', '--days', '397'), 'issue long');

interface Row { kind: string; name: string; state: string; daysLeft: number | null }
const rowsOf = (stdout: string) => (JSON.parse(stdout) as { rows: Row[] }).rows;
const state = (rows: Row[], name: string) => rows.find((r) => r.name === name)!.state;

test('status: 19 days left of 20 is due under the default 30-day threshold; --within moves it', () => {
  assert.equal(DEFAULT_WARN_DAYS, 30);
  const now = ws.cli('status', '--json');
  assert.equal(now.code, 2, 'something is due');
  const rows = rowsOf(now.stdout);
  assert.equal(rows.find((r) => r.name === 'short')!.daysLeft, 19);
  assert.equal(state(rows, 'short'), 'renew');
  assert.equal(state(rows, 'long'), 'ok');
  const narrow = ws.cli('status', '--within', '10', '--json');
  assert.equal(narrow.code, 0, narrow.stdout);
  assert.equal(state(rowsOf(narrow.stdout), 'short'), 'ok');
  // Under faketime, 10 days later (9 left): due again under --within 10.
  assert.equal(state(rowsOf(fakeCli(ws, '+10d', 'status', '--within', '10', '--json').stdout), 'short'), 'renew');
});

test('the CRL keeps the last third of its window: a fresh 30-day CRL is not due', () => {
  ok(ws.cli('crl'), 'crl');
  const rows = rowsOf(ws.cli('status', '--within', '10', '--json').stdout);
  assert.equal(rows.find((r) => r.kind === 'crl')!.state, 'ok');
  const def = rowsOf(ws.cli('status', '--json').stdout);
  assert.equal(def.find((r) => r.kind === 'crl')!.state, 'ok');
});

test('core: the threshold comes from the context (the app\'s setting), with the clock overridable', () => {
  const ctx = createContext({ home: ws.home, passphraseFile: ws.pass });
  const at = (days: number) => ({ ...ctx, now: () => new Date(Date.now() + days * 86_400_000) });
  assert.equal(statusReport(ctx).rows.find((r) => r.name === 'short')!.state, 'renew');
  assert.equal(statusReport({ ...ctx, warnDays: () => 10 }).rows.find((r) => r.name === 'short')!.state, 'ok');
  assert.equal(statusReport({ ...at(10), warnDays: () => 10 }).rows.find((r) => r.name === 'short')!.state, 'renew');
  // The long one: the last third of its life still counts (397 days: due from 132 days left; 127 here).
  assert.equal(statusReport(at(270)).rows.find((r) => r.name === 'long')!.state, 'renew');
  assert.equal(statusReport(at(200)).rows.find((r) => r.name === 'long')!.state, 'ok');
  // Notices follow the same threshold.
  assert.deepEqual(newNotices(ctx, new Set()).map((n) => n.node), ['short']);
  assert.deepEqual(newNotices({ ...ctx, warnDays: () => 5 }, new Set()), []);
  const cert = { notBefore: '2026-01-01T00:00:00Z', notAfter: '2026-01-21T00:00:00Z', status: 'active' as const };
  assert.equal(certState(cert, new Date('2026-01-02T00:00:00Z')), 'renew');
  assert.equal(certState(cert, new Date('2026-01-02T00:00:00Z'), undefined, 18), 'ok');
  assert.equal(certState(cert, new Date('2026-01-02T00:00:00Z'), undefined, 19), 'renew');
  assert.equal(certState(cert, new Date('2026-01-21T00:00:00Z')), 'expired');
});

test('app settings: the threshold is stored atomically (0600, no temp file left), bad values fall back to the default', () => {
  const dir = tempDir('ct-settings-');
  after(() => cleanup(dir));
  const file = join(dir, 'nested', 'settings.json');
  assert.equal(readSettings(file).expiryWarnDays, 30);
  writeSettings(file, { ...readSettings(file), expiryWarnDays: 12 });
  assert.equal(readSettings(file).expiryWarnDays, 12);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(join(dir, 'nested')), ['settings.json']);
  assert.match(readFileSync(file, 'utf8'), /"expiryWarnDays": 12/);
  for (const bad of [0, -1, 2.5, 'x', 100000]) {
    mkdirSync(join(dir, 'nested'), { recursive: true });
    writeFileSync(file, JSON.stringify({ notifyExpiry: false, expiryWarnDays: bad }));
    assert.equal(readSettings(file).expiryWarnDays, 30, String(bad));
  }
});
