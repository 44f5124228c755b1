// The derived nodes view (.view-nodes.json) that `status` and `node list` read at scale: it answers
// exactly what the inventory would, is used only for the inventory version it was computed from,
// never outlives a change, survives nothing hostile, and stays out of backups.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { CLI, cleanup, workspace } from '../helpers/cli.ts';
import { onTerminal } from '../helpers/tty.ts';
import { createContext } from '../../src-main/core/context.ts';
import { statusReport } from '../../src-main/lifecycle/status.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

function vault(nodes: number) {
  const w = workspace();
  dirs.push(w.dir);
  assert.equal(w.cli('ca', 'init', '--name', 'View CA', '--key', 'ecdsa-p256').code, 0);
  const lines = Array.from({ length: nodes }, (_, i) => `v${i} 10.9.${Math.floor(i / 200)}.${(i % 200) + 1} v${i}.view.test`).join('\n');
  writeFileSync(join(w.dir, 'nodes.txt'), `${lines}\n`);
  const imp = w.cli('node', 'import', join(w.dir, 'nodes.txt'));
  assert.equal(imp.code, 0, imp.stderr);
  return w;
}

const listed = (w: ReturnType<typeof vault>) => JSON.parse(w.cli('--json', 'node', 'list').stdout) as Array<{ name: string; state: string; serial: string | null; dns: string[] }>;
const statusJson = (w: ReturnType<typeof vault>) => JSON.parse(w.cli('--json', 'status').stdout) as { rows: Array<{ name: string; state: string; serial: string | null }> };

test('status and node list come from the view, which follows every change of the vault', () => {
  const w = vault(5);
  const view = join(w.home, '.view-nodes.json');
  assert.equal(existsSync(view), false, 'no view before a reader asked');
  assert.deepEqual(listed(w).map((n) => n.state), ['none', 'none', 'none', 'none', 'none']);
  assert.ok(existsSync(view), 'the first reader stores the view');
  assert.equal(w.cli('issue', 'v1', 'v3').code, 0);
  const after1 = listed(w);
  assert.deepEqual(after1.map((n) => n.state), ['none', 'ok', 'none', 'ok', 'none'], 'an issue is seen at once');
  assert.equal(w.cli('node', 'edit', 'v0', '--dns', 'edited.view.test').code, 0);
  assert.deepEqual(listed(w)[0]!.dns, ['edited.view.test']);
  assert.equal(w.cli('revoke', 'v1').code, 0);
  const rows = statusJson(w).rows.filter((r) => r.name.startsWith('v'));
  assert.deepEqual(rows.map((r) => r.state), ['none', 'revoked', 'none', 'ok', 'none']);
});

test('a view from an earlier version of the inventory is never used, even put back by hand', () => {
  const w = vault(3);
  const view = join(w.home, '.view-nodes.json');
  listed(w);
  const stale = join(w.dir, 'stale-view.json');
  copyFileSync(view, stale);
  assert.equal(w.cli('issue', 'v2').code, 0);
  copyFileSync(stale, view);
  assert.equal(listed(w)[2]!.state, 'ok', 'the view of the earlier inventory was ignored');
  assert.equal(statusJson(w).rows.find((r) => r.name === 'v2')!.state, 'ok');
});

test('a damaged or forged view is not trusted: a torn file, another format, a view of another vault', () => {
  const w = vault(3);
  const view = join(w.home, '.view-nodes.json');
  const expected = listed(w);
  const good = readFileSync(view, 'utf8');
  const stamp = good.slice(0, good.indexOf('\n'));
  for (const bad of [good.slice(0, Math.floor(good.length / 2)), `${stamp}\n{"format":99}`, `${stamp}\nnot json`, '', `${stamp}\n{"format":1,"cas":[],"nodes":"x","latest":[],"crlNumber":0}`]) {
    writeFileSync(view, bad);
    assert.deepEqual(listed(w), expected);
    assert.equal(w.cli('status').code, 0);
  }
  // The stamp is of this inventory file: another vault's view (same layout, other nodes) does not apply.
  const other = vault(1);
  listed(other);
  copyFileSync(join(other.home, '.view-nodes.json'), view);
  assert.deepEqual(listed(w), expected);
});

test('a view that cannot be stored changes nothing (the list is read from the inventory), and backups leave the view out', () => {
  const w = vault(2);
  listed(w);
  const backup = w.cli('backup', '--out', join(w.dir, 'b.tar.gz'));
  assert.equal(backup.code, 0, backup.stderr);
  const listing = execFileSync('tar', ['-tzf', join(w.dir, 'b.tar.gz')], { encoding: 'utf8' });
  assert.doesNotMatch(listing, /view-nodes/);
  assert.match(listing, /inventory\.json/);
  // A folder where the view would go: it can be neither read nor replaced (this runs as root too,
  // where a read-only mode would not stop the write).
  const view = join(w.home, '.view-nodes.json');
  rmSync(view);
  mkdirSync(view);
  assert.equal(w.cli('issue', 'v0').code, 0);
  assert.deepEqual(listed(w).map((n) => n.state), ['ok', 'none']);
  assert.equal(statusJson(w).rows.find((r) => r.name === 'v0')!.state, 'ok');
  assert.ok(statSync(view).isDirectory());
});

test('node show reads only its node\'s lines of a checked inventory, with the same answer as a full read; a changed file is read (and checked) in full', () => {
  const w = vault(12);
  assert.equal(w.cli('issue', '--all').code, 0);
  assert.equal(w.cli('renew', 'v1', 'v10').code, 0);
  assert.equal(w.cli('node', 'remove', 'v2', '--revoke').code, 0);
  assert.equal(w.cli('node', 'add', 'v2', '--ip', '10.9.9.2').code, 0); // a re-added name has no history
  const show = (name: string) => w.cli('--json', 'node', 'show', name);
  const names = ['v1', 'v10', 'v2', 'v0', 'v11'];
  const fast = names.map((n) => JSON.parse(show(n).stdout));
  assert.equal(fast[0].certificates.length, 2, 'v1: renewed');
  assert.equal(fast[2].certificates.length, 0, 'v2: re-added');
  const file = join(w.home, 'inventory.json');
  const st = statSync(file);
  utimesSync(file, st.atime, st.mtime); // same bytes, new ctime: no longer the file the last write checked
  assert.deepEqual(names.map((n) => JSON.parse(show(n).stdout)), fast);
  const missing = show('v1x');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no node named "v1x"/);
  // A damaged hand edit is still caught by node show.
  writeFileSync(file, readFileSync(file, 'utf8').replace('"name":"v3","dns"', '"name":3,"dns"'));
  const damaged = show('v4');
  assert.equal(damaged.code, 1);
  assert.match(damaged.stderr, /damaged at nodes\.\d+\.name/);
});

test('a process that holds the inventory (the app) derives the view in memory: no file read or written', async () => {
  const w = vault(4);
  const view = join(w.home, '.view-nodes.json');
  const app = createContext({ home: w.home, passphraseFile: w.pass });
  app.vault.read();
  const report = statusReport(app);
  assert.equal(report.rows.filter((r) => r.kind === 'node').length, 4);
  assert.equal(existsSync(view), false, 'the app does not store the view');
  // A changed vault is seen at once (the kept snapshot is dropped by its stamp).
  assert.equal(w.cli('issue', 'v1').code, 0);
  assert.equal(statusReport(app).rows.find((r) => r.name === 'v1')!.state, 'ok');
  // A process without one (the CLI) stores it for the next.
  statusReport(createContext({ home: w.home, passphraseFile: w.pass }));
  assert.ok(existsSync(view));
});

test('--json is compact for a program reading a pipe and indented on a terminal, the same value either way', async () => {
  const w = vault(2);
  const piped = w.cli('--json', 'node', 'list');
  assert.equal(piped.code, 0);
  assert.equal(piped.stdout.trimEnd().split('\n').length, 1, 'one line through a pipe');
  const tty = onTerminal([process.execPath, CLI, '--home', w.home, '--json', 'node', 'list'], process.env);
  assert.equal(await tty.exited, 0);
  const shown = tty.seen().replace(/\r\n/g, '\n');
  assert.match(shown, /^\[\n  \{\n    "id": /, 'indented on a terminal');
  assert.deepEqual(JSON.parse(shown), JSON.parse(piped.stdout));
});

test('output cut short by its reader (`| head`) is not an error: no stack trace, the exit code of the command', async () => {
  const w = vault(300);
  const run = await new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn(process.execPath, [CLI, '--home', w.home, 'node', 'list']);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.destroy(); // the reader goes away before the table is written
    child.on('close', (code) => done({ code, stderr }));
  });
  assert.equal(run.stderr, '');
  assert.equal(run.code, 0);
});
