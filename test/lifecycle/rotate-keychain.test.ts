// `ca rotate` without a passphrase file: the new CA's passphrase goes to the real keychain
// (gnome-keyring inside scripts/test.sh's private D-Bus session), like `ca init`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cleanup, runCli, sh, shResult, tempDir } from '../helpers/cli.ts';
import { json } from './helpers.ts';

const env = { CLUSTER_TRUST_PASSPHRASE_FILE: '' };
const dir = tempDir();
after(() => cleanup(dir));
const home = join(dir, 'home');
const cli = (...args: string[]) => runCli(['--home', home, ...args], env);

test('rotation with keychain passphrases: a new secret for the new CA, and the old CA\'s key still opens old node keys', () => {
  // Fail (not skip) outside the keyring session.
  assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run through scripts/test.sh (dbus-run-session + gnome-keyring)');
  const first = json<{ sha256: string }>(cli('ca', 'init', '--name', 'Keychain Rotation CA', '--json'), 'ca init');
  json(cli('node', 'add', 'kc1', '--ip', '10.0.0.1', '--json'), 'node add');
  json(cli('issue', 'kc1', '--json'), 'issue');
  const rotated = json<{ ca: { sha256: string; passphraseIn: string; id: string } }>(cli('ca', 'rotate', '--json'), 'ca rotate');
  assert.equal(rotated.ca.passphraseIn, 'keychain');
  const oldSecret = sh('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', `ca-${first.sha256}`]).trim();
  const newSecret = sh('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', `ca-${rotated.ca.sha256}`]).trim();
  assert.ok(newSecret.length >= 40);
  assert.notEqual(newSecret, oldSecret, 'each CA has its own passphrase');
  assert.match(sh('openssl', ['pkey', '-in', join(home, 'cas', rotated.ca.id, 'ca.key'), '-passin', `pass:${newSecret}`, '-noout', '-text']), /Private-Key/);
  // --keep-key opens the node key with the old CA's secret and re-seals it under the new one.
  const renewed = json<{ renewed: Array<{ keptKey: boolean }> }>(cli('renew', 'kc1', '--keep-key', '--json'), 'renew --keep-key');
  assert.equal(renewed.renewed[0]!.keptKey, true);
  json(cli('ca', 'retire-old', '--json'), 'retire-old');
  const out = join(dir, 'b');
  json(cli('bundle', 'kc1', '--out', out, '--json'), 'bundle');
  assert.equal(shResult('openssl', ['verify', '-CAfile', join(out, 'ca.crt'), join(out, 'node.crt')]).code, 0);
});
