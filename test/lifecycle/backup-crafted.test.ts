/**
 * Crafted backups write nothing outside the vault (held up in issue 13's attack pass; kept here):
 * entries with "..", absolute paths, symlinks, and a manifest naming paths outside. Each is restored
 * with --accept-unauthenticated so only the archive checks stand in the way; GNU tar crafts them.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspace, runCli, sh, cleanup, tempDir } from '../helpers/cli.ts';
import { ok, seed } from './helpers.ts';

const ws = workspace();
const outside = tempDir('ct-outside-');
after(() => cleanup(ws.dir, outside));
seed(ws, ['c1']);
const archive = join(ws.dir, 'vault.tgz');
ok(ws.cli('backup', '--out', archive), 'backup');
let n = 0;

/** The genuine archive unpacked, changed by `craft`, its AUTH.json dropped, packed with `tarArgs`. */
function crafted(craft: (root: string) => void, tarArgs: string[] = []): string {
  const work = join(ws.dir, `craft-${++n}`);
  mkdirSync(work);
  sh('tar', ['xzf', archive, '-C', work]);
  const root = join(work, 'cluster-trust-backup');
  rmSync(join(root, 'AUTH.json'));
  craft(root);
  const out = join(ws.dir, `crafted-${n}.tgz`);
  sh('tar', ['czPf', out, '-C', work, ...tarArgs, 'cluster-trust-backup']);
  return out;
}

function listInManifest(root: string, path: string, data: Buffer): void {
  const file = join(root, 'MANIFEST.json');
  const m = JSON.parse(readFileSync(file, 'utf8')) as { files: Array<{ path: string; size: number; sha256: string; mode: number }> };
  m.files.push({ path, size: data.length, sha256: createHash('sha256').update(data).digest('hex'), mode: 0o600 });
  writeFileSync(file, JSON.stringify(m));
}

function refusedNothingOutside(file: string, escapes: string[], why: RegExp): void {
  const home = join(ws.dir, `target-${n}`);
  const r = runCli(['--home', home, '--passphrase-file', ws.pass, 'restore', file, '--accept-unauthenticated']);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /damaged or not a Cluster Trust backup.*nothing was restored/);
  assert.match(r.stderr, why);
  assert.equal(existsSync(home), false, 'no vault was written');
  for (const e of escapes) assert.equal(existsSync(e), false, `${e} was not written`);
}

test('an entry with ".." in its path, listed in the manifest too', () => {
  const escape = join(outside, 'dotdot');
  const data = Buffer.from('owned\n');
  const file = crafted((root) => {
    writeFileSync(join(root, 'vault', 'x'), data);
    listInManifest(root, `../../../../../../..${escape}`, data);
  }, ['--transform', `s,vault/x$,vault/../../../../../../..${escape},`]);
  refusedNothingOutside(file, [escape], /MANIFEST\.json is invalid at files\.\d+\.path/);
});

test('an entry with an absolute path', () => {
  const escape = join(outside, 'absolute');
  const file = crafted((root) => writeFileSync(join(root, 'vault', 'abs'), 'owned\n'), ['--transform', `s,^cluster-trust-backup/vault/abs$,${escape},`]);
  refusedNothingOutside(file, [escape], /unexpected entry \//);
});

test('a symlink entry pointing outside, and a file behind it', () => {
  const file = crafted((root) => {
    symlinkSync(outside, join(root, 'vault', 'link'));
    listInManifest(root, 'link/planted', Buffer.from('owned\n'));
  });
  refusedNothingOutside(file, [join(outside, 'planted')], /is a SymbolicLink, not a plain file/);
});

test('a manifest that names a path outside the vault for a real file', () => {
  const file = crafted((root) => {
    const m = JSON.parse(readFileSync(join(root, 'MANIFEST.json'), 'utf8')) as { files: Array<{ path: string }> };
    m.files[0]!.path = `../${m.files[0]!.path}`;
    writeFileSync(join(root, 'MANIFEST.json'), JSON.stringify(m));
  });
  refusedNothingOutside(file, [], /MANIFEST\.json is invalid at files\.0\.path/);
});
