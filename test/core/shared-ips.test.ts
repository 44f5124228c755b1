// Issue 14: an IP held by two nodes is named on `node add`, `node edit` and `node import` (a
// warning, never a refusal: an HA pair's virtual IP is on both certificates), and only then.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, workspace } from '../helpers/cli.ts';
import { ok } from './helpers.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

function fresh() {
  const ws = workspace();
  dirs.push(ws.dir);
  ok(ws.cli('--json', 'ca', 'init', '--name', 'Shared IP CA'));
  return ws;
}

test('node add and edit warn about an address another node holds, and still save', () => {
  const ws = fresh();
  const first = ws.cli('node', 'add', 'ha1', '--ip', '10.0.0.1', '--ip', '10.0.0.100');
  assert.equal(first.code, 0, first.stderr);
  assert.doesNotMatch(first.stdout, /warning/, 'nothing shared yet');

  const second = ws.cli('node', 'add', 'ha2', '--ip', '10.0.0.2', '--ip', '10.0.0.100');
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /warning: 10\.0\.0\.100 is the address of ha1, ha2: fine for a shared virtual IP/);
  assert.doesNotMatch(second.stdout, /10\.0\.0\.2 is/);

  const json = JSON.parse(ws.cli('--json', 'node', 'list').stdout) as Array<{ name: string }>;
  assert.deepEqual(json.map((n) => n.name), ['ha1', 'ha2'], 'a warning, not a refusal');

  const edited = ws.cli('--json', 'node', 'edit', 'ha1', '--ip', '10.0.0.2');
  assert.equal(edited.code, 0, edited.stderr);
  assert.deepEqual(JSON.parse(edited.stdout).warnings, ['10.0.0.2 is the address of ha1, ha2: fine for a shared virtual IP, otherwise correct it']);

  const apart = ws.cli('--json', 'node', 'edit', 'ha1', '--ip', '10.0.0.1');
  assert.equal(apart.code, 0, apart.stderr);
  assert.equal(JSON.parse(apart.stdout).warnings, undefined, 'no shared address left: no warning');
});

test('node import warns about addresses shared inside the list and with nodes already there, dry run too', () => {
  const ws = fresh();
  ok(ws.cli('--json', 'node', 'add', 'db1', '--ip', '10.1.0.5'));
  const list = join(ws.dir, 'nodes.txt');
  writeFileSync(list, 'web1 10.1.0.10\nweb2 10.1.0.10\ndb2 10.1.0.5\nlone 10.1.0.99\n');
  const dry = ws.cli('--json', 'node', 'import', list, '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(JSON.parse(dry.stdout).warnings, [
    '10.1.0.10 is the address of web1, web2: fine for a shared virtual IP, otherwise correct it',
    '10.1.0.5 is the address of db1, db2: fine for a shared virtual IP, otherwise correct it',
  ]);
  const done = ws.cli('node', 'import', list);
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stdout, /added 4 nodes[\s\S]*warning: 10\.1\.0\.10 is the address of web1, web2[\s\S]*warning: 10\.1\.0\.5 is the address of db1, db2/);
});
