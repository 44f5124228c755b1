// keytar against the real gnome-keyring Secret Service (scripts/test.sh runs the tests inside
// dbus-run-session with an unlocked throwaway keyring). No mock anywhere: secret-tool reads back
// what the CLI stored, and openssl opens the CA key with it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cleanup, runCli, sh, shResult, snapshot, tempDir } from '../helpers/cli.ts';
import { ok, refused } from './helpers.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

/** No passphrase file anywhere: the keychain is the only source. */
const env = { CLUSTER_TRUST_PASSPHRASE_FILE: '' };
/** A session bus that does not exist: no keychain reachable. */
const noBus = { ...env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cluster-trust-test-bus' };

function requireSession(): void {
  // Fail (not skip) outside the keyring session: this test is the proof the keychain works.
  assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run through scripts/test.sh (dbus-run-session + gnome-keyring)');
  const probe = shResult('secret-tool', ['search', 'service', 'Cluster Trust']);
  assert.ok(probe.code === 0 || probe.code === 1, `secret-tool cannot reach the Secret Service: ${probe.stderr}`);
}

test('ca init without a passphrase file stores a strong passphrase in the keychain; issue reads it back', () => {
  requireSession();
  const dir = tempDir();
  dirs.push(dir);
  const home = join(dir, 'home');
  const ca = ok<{ sha256: string; passphraseIn: string; id: string }>(runCli(['--home', home, '--json', 'ca', 'init', '--name', 'Keychain CA'], env));
  assert.equal(ca.passphraseIn, 'keychain');
  const secret = sh('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', `ca-${ca.sha256}`]).replace(/\n$/, '');
  assert.ok(secret.length >= 40, 'a long random passphrase');
  assert.match(secret, /^[A-Za-z0-9_-]+$/);
  // It really is the CA key's passphrase: openssl opens the vault's encrypted PKCS#8 with it...
  const keyFile = join(home, 'cas', ca.id, 'ca.key');
  assert.match(sh('openssl', ['pkey', '-in', keyFile, '-passin', `pass:${secret}`, '-noout', '-text']), /Private-Key/);
  // ...and not without it.
  assert.notEqual(shResult('openssl', ['pkey', '-in', keyFile, '-passin', 'pass:wrong', '-noout']).code, 0);

  ok(runCli(['--home', home, '--json', 'node', 'add', 'n1', '--ip', '10.0.0.1'], env));
  const issued = ok<Array<{ node: string }>>(runCli(['--home', home, '--json', 'issue', 'n1'], env));
  assert.equal(issued[0]!.node, 'n1');
  const out = join(dir, 'bundle');
  ok(runCli(['--home', home, '--json', 'bundle', 'n1', '--out', out], env));
  assert.match(sh('openssl', ['verify', '-CAfile', join(out, 'ca.crt'), join(out, 'node.crt')]), /OK/);
  // The passphrase is shown nowhere the user did not ask for: not in the vault's files.
  const grep = shResult('grep', ['-rlF', secret, home]);
  assert.equal(grep.code, 1, `the passphrase is stored in the vault: ${grep.stdout}`);
});

test('no keychain and no passphrase file: one clear error naming both ways out; nothing changes', () => {
  requireSession();
  const dir = tempDir();
  dirs.push(dir);
  const home = join(dir, 'home');
  const ca = ok<{ sha256: string }>(runCli(['--home', home, '--json', 'ca', 'init', '--name', 'Keychain CA 2'], env));
  ok(runCli(['--home', home, '--json', 'node', 'add', 'n1', '--ip', '10.0.0.1'], env));
  const before = snapshot(home);
  const r = runCli(['--home', home, 'issue', 'n1'], noBus);
  refused(r, /keychain/i);
  assert.match(r.stderr, /--passphrase-file FILE/);
  assert.match(r.stderr, /unlock or start it|keychain is not reachable/);
  assert.deepEqual(snapshot(home), before);
  // With the keychain back, the same command works: the secret was never lost.
  ok(runCli(['--home', home, '--json', 'issue', 'n1'], env));
  assert.ok(sh('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', `ca-${ca.sha256}`]).length > 0);

  // Creating a CA with no keychain reachable: refused before anything is written.
  const fresh = join(dir, 'fresh');
  const init = runCli(['--home', fresh, 'ca', 'init', '--name', 'Nowhere'], noBus);
  refused(init, /--passphrase-file FILE/);
  assert.match(init.stderr, /keychain/i);
  assert.equal(shResult('test', ['-e', join(fresh, 'inventory.json')]).code, 1, 'no vault was created');
});

test('a CA made with a passphrase file never touches the keychain', () => {
  requireSession();
  const dir = tempDir();
  dirs.push(dir);
  const pass = join(dir, 'pass');
  // umask 077: a passphrase file others can read is refused (issue 13, item 11).
  sh('sh', ['-c', `umask 077 && printf '%s\\n' 'my own passphrase 123' > '${pass}'`]);
  const ca = ok<{ sha256: string; passphraseIn: string }>(runCli(['--home', join(dir, 'home'), '--passphrase-file', pass, '--json', 'ca', 'init', '--name', 'File CA'], env));
  assert.equal(ca.passphraseIn, 'file');
  assert.notEqual(shResult('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', `ca-${ca.sha256}`]).code, 0);
  // a short chosen passphrase is refused
  sh('sh', ['-c', `printf 'short' > '${pass}'`]);
  refused(runCli(['--home', join(dir, 'home2'), '--passphrase-file', pass, 'ca', 'init', '--name', 'Weak'], env), /at least 12 characters/);
});
