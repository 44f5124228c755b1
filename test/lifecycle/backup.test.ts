import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { workspace, snapshot, runCli, sh, shResult, cleanup } from '../helpers/cli.ts';
import { inventory, json, ok, seed } from './helpers.ts';

const ws = workspace();
after(() => cleanup(ws.dir));
seed(ws, ['b-srv', 'b-c']);
ok(ws.cli('revoke', 'b-c'), 'revoke');
ok(ws.cli('renew', 'b-c'), 'renew');
ok(ws.cli('ca', 'rotate'), 'rotate');
const path = (...p: string[]) => join(ws.dir, ...p);
/** The CLI against another home, with the same passphrase file. */
const at = (home: string, ...args: string[]) => runCli(['--home', home, '--passphrase-file', ws.pass, ...args]);
const archive = path('vault.tgz');

const contentBefore = snapshot(ws.home);
delete contentBefore['.lock'];
// This machine's stamp of its last checked inventory write is not vault content: a restore re-checks
// the inventory in full (and an archive could not carry the stamp: its paths cannot start with a dot).
delete contentBefore['.inventory.sha256'];
const auditBefore = readFileSync(join(ws.home, 'audit.jsonl'), 'utf8');
const backup = json<{ path: string; sha256: string; checksumPath: string }>(ws.cli('backup', '--out', archive, '--json'), 'backup');

/** A restored vault's files: the backed-up ones byte-for-byte, its audit log with exactly one `restore` line added. */
function restoredContent(home: string): Record<string, string> {
  const log = readFileSync(join(home, 'audit.jsonl'), 'utf8');
  assert.ok(log.startsWith(auditBefore), 'the backed-up log is kept whole');
  const added = log.slice(auditBefore.length).trim().split('\n');
  assert.equal(added.length, 1, log.slice(auditBefore.length));
  assert.equal((JSON.parse(added[0]!) as { action: string }).action, 'restore');
  const files = snapshot(home);
  delete files['.lock'];
  delete files['.inventory.sha256'];
  files['audit.jsonl'] = contentBefore['audit.jsonl']!;
  return files;
}

test('backup: one archive with a manifest, keys still encrypted, a checksum beside it', () => {
  assert.equal(backup.path, archive);
  assert.equal(readFileSync(`${archive}.sha256`, 'utf8').split(/\s+/)[0], backup.sha256);
  assert.match(sh('sha256sum', ['-c', `${archive}.sha256`], { cwd: ws.dir }), /OK/);
  const list = sh('tar', ['tzf', archive]);
  assert.match(list, /cluster-trust-backup\/MANIFEST\.json/);
  assert.match(list, /cluster-trust-backup\/vault\/inventory\.json/);
  const text = gunzipSync(readFileSync(archive)).toString('latin1');
  assert.match(text, /BEGIN ENCRYPTED PRIVATE KEY/);
  assert.doesNotMatch(text, /BEGIN PRIVATE KEY|BEGIN EC PRIVATE KEY|test passphrase/, 'no plaintext key, no passphrase');
  assert.ok(inventory(ws).cas.length === 2);
  const again = ws.cli('backup', '--out', archive);
  assert.equal(again.code, 1, 'an existing backup is never overwritten');
  assert.match(again.stderr, /already exists/);
  const status = ws.cli('status');
  assert.doesNotMatch(status.stdout, /no backup since/);
});

test('restore into an empty home gives the same vault, and signing still works with the same passphrase', () => {
  const home = path('restored');
  const r = at(home, 'restore', archive);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /checksum file verified/);
  assert.deepEqual(restoredContent(home), contentBefore, 'byte-for-byte the vault as it was backed up, and the restore in its log');
  const a = json<{ sha256: string }>(at(home, 'ca', 'show', '--json'), 'ca show');
  const b = json<{ sha256: string }>(ws.cli('ca', 'show', '--json'), 'ca show');
  assert.equal(a.sha256, b.sha256);
  assert.equal(at(home, 'node', 'show', 'b-c').stdout, ws.cli('node', 'show', 'b-c').stdout, 'same history');
  ok(at(home, 'renew', 'b-srv'), 'renew in the restored vault');
  ok(at(home, 'crl', '--out', path('restored-crl.pem')), 'crl in the restored vault');
  ok(at(home, 'bundle', 'b-srv', '--out', path('restored-bundle')), 'bundle in the restored vault');
  assert.equal(shResult('openssl', ['verify', '-CAfile', path('restored-bundle', 'ca.crt'), path('restored-bundle', 'node.crt')]).code, 0);
  // An existing empty folder is a fine target too.
  mkdirSync(path('empty-dir'));
  ok(at(path('empty-dir'), 'restore', archive), 'restore into an empty folder');
});

function expectRefused(file: string, pattern: RegExp): void {
  const home = path('target');
  rmSync(home, { recursive: true, force: true });
  const r = at(home, 'restore', file);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, pattern);
  assert.match(r.stderr, /nothing was restored/);
  assert.ok(!existsSync(home), 'the target is untouched');
  assert.deepEqual(readdirSync(ws.dir).filter((n) => n.includes('restore-')), [], 'no temp folder left behind');
}

test('a truncated or tampered archive is refused with a clear message and the target untouched', () => {
  const data = readFileSync(archive);
  writeFileSync(path('truncated.tgz'), data.subarray(0, Math.floor(data.length / 2)));
  expectRefused(path('truncated.tgz'), /damaged or not a Cluster Trust backup \(gzip: unexpected end of file\)/);

  // A byte flipped in the compressed data: the checksum file catches it first.
  const flipped = Buffer.from(data);
  flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
  writeFileSync(path('flipped.tgz'), flipped);
  writeFileSync(path('flipped.tgz.sha256'), readFileSync(`${archive}.sha256`));
  expectRefused(path('flipped.tgz'), /does not match its checksum file/);
  // Without the checksum file, gzip's own check or the manifest still refuses it.
  rmSync(path('flipped.tgz.sha256'));
  expectRefused(path('flipped.tgz'), /damaged or not a Cluster Trust backup/);

  // Tampered inside and re-packed as a valid gzip: the manifest's SHA-256 no longer matches.
  const work = path('tamper');
  mkdirSync(work);
  sh('tar', ['xzf', archive, '-C', work]);
  const invPath = join(work, 'cluster-trust-backup', 'vault', 'inventory.json');
  writeFileSync(invPath, readFileSync(invPath, 'utf8').replace('"b-srv"', '"evil"'));
  sh('tar', ['czf', path('tampered.tgz'), '-C', work, 'cluster-trust-backup']);
  expectRefused(path('tampered.tgz'), /inventory\.json does not match its checksum/);

  // A file slipped in that the manifest does not list.
  writeFileSync(join(work, 'cluster-trust-backup', 'vault', 'extra.txt'), 'hello');
  sh('tar', ['xzf', archive, '-C', work]);
  sh('tar', ['czf', path('extra.tgz'), '-C', work, 'cluster-trust-backup']);
  expectRefused(path('extra.tgz'), /extra\.txt is not in the manifest/);

  writeFileSync(path('not-a-backup.tgz'), gzipSync(Buffer.from('hello world')));
  expectRefused(path('not-a-backup.tgz'), /damaged or not a Cluster Trust backup/);
  const missing = at(path('target'), 'restore', path('nope.tgz'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read the backup/);
});

test('restore onto a live vault is refused without --force; --force moves the old vault aside', () => {
  const before = snapshot(ws.home);
  const r = ws.cli('restore', archive);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /is not empty \(it holds 2 CA\(s\), 2 node\(s\)\).*--force/);
  assert.deepEqual(snapshot(ws.home), before);

  const live = path('live');
  ok(at(live, 'ca', 'init', '--name', 'Other CA'), 'another vault');
  const other = snapshot(live);
  const forced = json<{ previousVaultMovedTo: string }>(at(live, 'restore', archive, '--force', '--json'), 'restore --force');
  assert.deepEqual(restoredContent(live), contentBefore);
  assert.deepEqual(snapshot(forced.previousVaultMovedTo), other, 'the replaced vault is kept, whole');
});

test('backup: bad input changes nothing', () => {
  const before = snapshot(ws.home);
  for (const [args, pattern] of [
    [['backup'], /usage: cluster-trust backup --out FILE/],
    [['backup', '--out', path('no-such-dir', 'x.tgz')], /does not exist/],
    [['backup', '--out', join(ws.home, 'inside.tgz')], /outside the vault folder/],
  ] as const) {
    const r = ws.cli(...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, pattern);
  }
  assert.deepEqual(snapshot(ws.home), before);
  const none = at(path('no-vault-here'), 'backup', '--out', path('none.tgz'));
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no vault/);
});
