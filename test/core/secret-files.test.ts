// Issue 13, item 11: a file holding a secret (CA passphrase, key passphrase, PKCS#12 password, SSH
// key passphrase, exported CA passphrases) that other users may read or write is refused with the
// file named and the fix, as OpenSSH refuses such private keys; the vault stays as it was.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, runCli, sh } from '../helpers/cli.ts';
import { ok, refused, refusedUnchanged, withCa, type Workspace } from './helpers.ts';

let ws: Workspace;
before(() => {
  ws = withCa('ecdsa-p256');
  ok(ws.cli('--json', 'node', 'add', 'n1', '--dns', 'n1.cluster.test', '--ip', '10.0.0.1'));
});
after(() => cleanup(ws.dir));

/** A copy of a secret file with the given mode. */
function withMode(source: string, name: string, mode: number): string {
  const file = join(ws.dir, name);
  copyFileSync(source, file);
  chmodSync(file, mode);
  return file;
}

const tooOpen = (file: string, mode: string) => new RegExp(`the passphrase file ${file} is accessible by other users \\(mode ${mode}\\); run \`chmod 600 ${file}\` and try again`);

test('the CA passphrase file (--passphrase-file, CLUSTER_TRUST_PASSPHRASE_FILE): group or other access is refused; 0600 and 0400 work', () => {
  for (const mode of [0o644, 0o666, 0o640, 0o604, 0o620, 0o602, 0o610]) {
    const file = withMode(ws.pass, `pass-${mode.toString(8)}`, mode);
    const before = JSON.stringify(ok(ws.cli('--json', 'node', 'list')));
    refused(runCli(['--home', ws.home, '--passphrase-file', file, 'issue', 'n1']), tooOpen(file, `0${mode.toString(8)}`));
    refused(runCli(['--home', ws.home, 'issue', 'n1'], { CLUSTER_TRUST_PASSPHRASE_FILE: file }), tooOpen(file, `0${mode.toString(8)}`));
    assert.equal(JSON.stringify(ok(ws.cli('--json', 'node', 'list'))), before, 'nothing was issued');
  }
  ok(runCli(['--home', ws.home, '--passphrase-file', withMode(ws.pass, 'pass-400', 0o400), '--json', 'issue', 'n1']));
});

test('a passphrase file owned by another user is refused even at 0600 (they can change it)', () => {
  const file = withMode(ws.pass, 'pass-foreign', 0o600);
  chownSync(file, 65534, 65534);
  refused(runCli(['--home', ws.home, '--passphrase-file', file, 'issue', 'n1']), new RegExp(`the passphrase file ${file} belongs to another user \\(uid 65534\\)`));
});

test('--p12-password-file, --key-passphrase-file and --ssh-key-passphrase-file are checked the same way', () => {
  // The other inputs exist, so the password file is what gets refused.
  for (const f of ['any.p12', 'any.crt', 'any.key']) writeFileSync(join(ws.dir, f), 'not read before the password file is checked\n');
  const pw = join(ws.dir, 'p12-pw');
  writeFileSync(pw, 'p12 password from a file\n', { mode: 0o644 });
  refusedUnchanged(ws, tooOpen(pw, '0644'), 'bundle', 'n1', '--out', join(ws.dir, 'n1.p12'), '--format', 'p12', '--p12-password-file', pw);
  refusedUnchanged(ws, tooOpen(pw, '0644'), 'ca', 'import', '--p12', join(ws.dir, 'any.p12'), '--p12-password-file', pw);
  refusedUnchanged(ws, tooOpen(pw, '0644'), 'ca', 'import', '--cert', join(ws.dir, 'any.crt'), '--key', join(ws.dir, 'any.key'), '--key-passphrase-file', pw);
  const key = join(ws.dir, 'id_enc');
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'p12 password from a file', '-f', key]);
  refused(ws.cli('ssh-key', 'remember', key, '--ssh-key-passphrase-file', pw), tooOpen(pw, '0644'));
  chmodSync(pw, 0o600);
  ok(ws.cli('--json', 'bundle', 'n1', '--out', join(ws.dir, 'n1.p12'), '--format', 'p12', '--p12-password-file', pw));
});

test('`ca passphrase import FILE` refuses an exported passphrase file others can read', () => {
  const file = join(ws.dir, 'passphrases.txt');
  writeFileSync(file, `ca-${'0'.repeat(64)}\tsomething\n`, { mode: 0o644 });
  refusedUnchanged(ws, new RegExp(`the CA passphrase file ${file} is accessible by other users \\(mode 0644\\); run \`chmod 600 ${file}\``), 'ca', 'passphrase', 'import', file);
});
