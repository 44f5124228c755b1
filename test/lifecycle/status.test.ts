import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { workspace, snapshot, shResult, cleanup } from '../helpers/cli.ts';
import { fakeCli, json, ok, seed } from './helpers.ts';

const ws = workspace();
after(() => cleanup(ws.dir));
seed(ws, ['web1', 'api-c'], { days: 90 });
const bundle = join(ws.dir, 'web1');
ok(ws.cli('bundle', 'web1', '--out', bundle), 'bundle web1');

interface Row { kind: string; name: string; state: string; daysLeft: number | null; profile: string; serial: string | null; notAfter: string | null }
const rowsOf = (r: { stdout: string }) => (JSON.parse(r.stdout) as { rows: Row[] }).rows;
const nodeState = (rows: Row[], name: string) => rows.find((r) => r.kind === 'node' && r.name === name)!.state;

/** openssl's own verdict on the leaf at a moment (seconds since the epoch). */
function opensslVerify(atSeconds: number): { code: number; out: string } {
  const r = shResult('openssl', ['verify', '-attime', String(atSeconds), '-CAfile', join(bundle, 'ca.crt'), join(bundle, 'node.crt')]);
  return { code: r.code, out: r.stdout + r.stderr };
}

test('status: ok today, renew in the last third of life, expired after; exit codes follow, openssl agrees', () => {
  const now = fakeCli(ws, '+0d', 'status', '--json');
  assert.equal(now.code, 0, now.stderr);
  const rows = rowsOf(now);
  assert.equal(nodeState(rows, 'web1'), 'ok');
  assert.equal(rows.find((r) => r.kind === 'ca')!.state, 'ok', 'the CA itself is listed');
  const web1 = rows.find((r) => r.name === 'web1')!;
  for (const key of ['name', 'profile', 'serial', 'notAfter', 'daysLeft', 'state'] as const) assert.notEqual(web1[key], undefined, key);

  // 90-day certificate: the renewal window is its last 30 days.
  const day65 = fakeCli(ws, '+65d', 'status', '--json');
  assert.equal(day65.code, 2, 'inside the window status exits 2');
  assert.equal(nodeState(rowsOf(day65), 'web1'), 'renew');
  assert.equal(nodeState(rowsOf(day65), 'api-c'), 'renew');
  const day50 = fakeCli(ws, '+50d', 'status');
  assert.equal(day50.code, 0, 'before the window nothing is due');
  assert.match(day50.stdout, /web1\s+generic-server\s+[0-9a-f]+\s+\S+\s+\d+\s+ok/);

  const day95 = fakeCli(ws, '+95d', 'status');
  assert.equal(day95.code, 2);
  assert.match(day95.stdout, /web1\s+generic-server\s+[0-9a-f]+\s+\S+\s+-\d+\s+expired/);
  assert.match(day95.stdout, /renew --due/);

  const notAfter = Date.parse(rows.find((r) => r.name === 'web1')!.notAfter!) / 1000;
  const nowSec = Math.floor(Date.now() / 1000);
  assert.equal(opensslVerify(nowSec + 65 * 86400).code, 0, 'openssl: still valid inside the renewal window');
  const late = opensslVerify(nowSec + 95 * 86400);
  assert.notEqual(late.code, 0);
  assert.match(late.out, /expired/);
  assert.equal(opensslVerify(notAfter - 60).code, 0);
  assert.notEqual(opensslVerify(notAfter + 60).code, 0);
});

test('status --within widens the window; renew --due under faketime brings everything back to ok', () => {
  const within = ws.cli('status', '--within', '91', '--json');
  assert.equal(within.code, 2);
  assert.equal(nodeState(rowsOf(within), 'web1'), 'renew');
  assert.equal(ws.cli('status', '--within', '10').code, 0);

  const renewed = json<{ renewed: Array<{ node: string }> }>(fakeCli(ws, '+70d', 'renew', '--due', '--json'), 'renew --due');
  assert.deepEqual(renewed.renewed.map((r) => r.node).sort(), ['api-c', 'web1']);
  const after = fakeCli(ws, '+70d', 'status', '--json');
  assert.equal(after.code, 0, after.stdout);
  // The renewal kept the 90-day lifetime the nodes had.
  const left = rowsOf(after).find((r) => r.name === 'web1')!.daysLeft!;
  assert.ok(left >= 88 && left <= 90, `days left ${left}`);
  // A second renew --due finds nothing and changes nothing.
  const before = snapshot(ws.home);
  const again = fakeCli(ws, '+70d', 'renew', '--due');
  assert.equal(again.code, 0);
  assert.match(again.stdout, /nothing is due/);
  assert.deepEqual(snapshot(ws.home), before);
});

test('status: bad --within values are refused with a clear message and the vault unchanged', () => {
  const before = snapshot(ws.home);
  for (const [value, pattern] of [['-3', /--within must be a whole number of days from 0/], ['abc', /--within must be a whole number/], ['2.5', /--within must be a whole number/], ['99999999', /from 0 to 36500/]] as const) {
    const r = ws.cli('status', '--within', value);
    assert.equal(r.code, 1, `--within ${value}`);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /at .*\.ts:|Error:/, 'one line, no stack');
  }
  const r = ws.cli('renew', '--due', '--within', '-1');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--within must be/);
  assert.deepEqual(snapshot(ws.home), before);
});

test('status on a vault without a CA is an error, not a silent pass', () => {
  const empty = workspace();
  try {
    const r = empty.cli('status');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no CA yet/);
  } finally {
    cleanup(empty.dir);
  }
});
