// Issue 13, item 12: a truncated or damaged vault JSON file (inventory, a pack, the Maelstrom keys)
// is a user error (exit 1, code vault-corrupt) that names the file and says to restore from a
// backup, never a bare parser message with exit 70.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup } from '../helpers/cli.ts';
import { ok, refused, withCa, type Workspace } from './helpers.ts';

let ws: Workspace;
let pack: string;
before(() => {
  ws = withCa('ecdsa-p256');
  ok(ws.cli('--json', 'node', 'add', 'n1', '--dns', 'n1.cluster.test', '--ip', '10.0.0.1'));
  ok(ws.cli('--json', 'issue', 'n1'));
  pack = join(ws.home, 'packs', readdirSync(join(ws.home, 'packs')).find((f) => f.endsWith('.json'))!);
});
after(() => cleanup(ws.dir));

const RESTORE = /; restore the vault from a backup \(`cluster-trust restore BACKUP --force`\)$/;

function refusedNaming(file: string, problem: RegExp, ...args: string[]): void {
  const run = ws.cli(...args);
  assert.equal(run.code, 1, `a user error, not an internal one (exit ${run.code}): ${run.stderr}`);
  refused(run, new RegExp(`the vault file ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} ${problem.source}`));
  assert.match(run.stderr.trim(), RESTORE);
  const json = ws.cli('--json', ...args);
  assert.equal((JSON.parse(json.stdout) as { error: { code: string } }).error.code, 'vault-corrupt');
}

test('a pack cut off at 100 bytes, one with the wrong shape, and a missing one', () => {
  const good = readFileSync(pack);
  try {
    writeFileSync(pack, good.subarray(0, 100));
    refusedNaming(pack, /is not valid JSON \(.*\)/, 'bundle', 'n1', '--out', join(ws.dir, 'b1'));
    writeFileSync(pack, '{"certs": 5}');
    refusedNaming(pack, /is damaged at /, 'bundle', 'n1', '--out', join(ws.dir, 'b2'));
    rmSync(pack);
    refusedNaming(pack, /cannot be read \(ENOENT\)/, 'bundle', 'n1', '--out', join(ws.dir, 'b3'));
  } finally {
    writeFileSync(pack, good, { mode: 0o600 });
  }
  ok(ws.cli('--json', 'bundle', 'n1', '--out', join(ws.dir, 'b4')));
});

test('a truncated inventory', () => {
  const inventory = join(ws.home, 'inventory.json');
  const good = readFileSync(inventory);
  try {
    writeFileSync(inventory, good.subarray(0, 100));
    refusedNaming(inventory, /is not valid JSON \(.*\)/, 'node', 'list');
  } finally {
    writeFileSync(inventory, good, { mode: 0o600 });
  }
});

test('truncated Maelstrom keys', () => {
  ok(ws.cli('--json', 'maelstrom', 'rotate'));
  const keys = join(ws.home, 'profiles', 'maelstrom-keys.json');
  writeFileSync(keys, readFileSync(keys).subarray(0, 100));
  refusedNaming(keys, /is not valid JSON \(.*\)/, 'maelstrom', 'rotate');
});
