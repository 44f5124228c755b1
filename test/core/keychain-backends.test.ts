// The two keychain bindings against the real gnome-keyring (scripts/test.sh's private D-Bus session):
// keytar where it loads, @napi-rs/keyring (prebuilt) where it does not. On Linux they keep different
// attributes (account vs username), so each is read back with secret-tool in its own format, and a
// secret written by one binding must stay reachable when only the other loads.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cleanup, runCli, shResult, tempDir } from '../helpers/cli.ts';
import { ok, refused } from './helpers.ts';
import { selectKeychain } from '../../src-main/keychain/keychain.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

const SERVICE = 'Cluster Trust';
// @napi-rs/keyring's entries have their own service on Linux (keytar crashes listing foreign items).
const KEYRING_SERVICE = 'Cluster Trust (keyring)';
const noFile = { CLUSTER_TRUST_PASSPHRASE_FILE: '' };
const keytarOnly = { ...noFile, CLUSTER_TRUST_KEYCHAIN: 'keytar' };
const keyringOnly = { ...noFile, CLUSTER_TRUST_KEYCHAIN: 'keyring' };
const auto = { ...noFile, CLUSTER_TRUST_KEYCHAIN: '' };

/** What the Secret Service holds under keytar's attributes and under @napi-rs/keyring's. */
function lookup(account: string): { keytar: string; keyring: string } {
  const get = (service: string, attr: string): string => shResult('secret-tool', ['lookup', 'service', service, attr, account]).stdout.replace(/\n$/, '');
  return { keytar: get(SERVICE, 'account'), keyring: get(KEYRING_SERVICE, 'username') };
}

function newVault(env: NodeJS.ProcessEnv, name: string): { home: string; account: string } {
  assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run through scripts/test.sh (dbus-run-session + gnome-keyring)');
  const dir = tempDir();
  dirs.push(dir);
  const home = join(dir, 'home');
  const ca = ok<{ sha256: string; passphraseIn: string }>(runCli(['--home', home, '--json', 'ca', 'init', '--name', name], env));
  assert.equal(ca.passphraseIn, 'keychain');
  ok(runCli(['--home', home, '--json', 'node', 'add', 'n1', '--ip', '10.0.0.1'], env));
  return { home, account: `ca-${ca.sha256}` };
}

test('both bindings load here; the app says which one is in use', () => {
  const { home } = newVault(auto, 'Backend CA');
  const shown = ok<{ keychain: { backend: string; reachable: boolean } }>(runCli(['--home', home, '--json', 'ca', 'show'], auto));
  assert.deepEqual(shown.keychain, { backend: 'keytar', reachable: true, detail: 'the OS keychain through keytar' });
  const viaKeyring = ok<{ keychain: { backend: string } }>(runCli(['--home', home, '--json', 'ca', 'show'], keyringOnly));
  assert.equal(viaKeyring.keychain.backend, '@napi-rs/keyring');
  assert.match(runCli(['--home', home, 'ca', 'show'], keyringOnly).stdout, /keychain:\s+@napi-rs\/keyring \(reachable\)/);
});

test('with both bindings a new passphrase lands in both formats, and either binding alone signs', () => {
  const { home, account } = newVault(auto, 'Both CA');
  const held = lookup(account);
  assert.ok(held.keytar.length >= 40);
  assert.equal(held.keyring, held.keytar);
  ok(runCli(['--home', home, '--json', 'issue', 'n1'], keytarOnly));
  ok(runCli(['--home', home, '--json', 'issue', 'n1'], keyringOnly));
});

test('@napi-rs/keyring alone (keytar not loadable) keeps the passphrase in the Secret Service, never the kernel keyring', () => {
  const { home, account } = newVault(keyringOnly, 'Keyring CA');
  const held = lookup(account);
  assert.equal(held.keytar, '', 'keytar was not in use');
  assert.ok(held.keyring.length >= 40, 'stored through the Secret Service with @napi-rs/keyring\'s attributes');
  ok(runCli(['--home', home, '--json', 'issue', 'n1'], keyringOnly));
  // keytar comes back (say libsecret's headers were installed and it built): it finds the entry
  // through the other binding and keeps a copy in its own format.
  ok(runCli(['--home', home, '--json', 'issue', 'n1'], auto));
  assert.equal(lookup(account).keytar, held.keyring);
});

test('an entry only keytar wrote (an older version) is read by @napi-rs/keyring once this version has run with keytar', () => {
  const { home, account } = newVault(keytarOnly, 'Legacy CA');
  assert.equal(lookup(account).keyring, '');
  // Measured incompatibility: the other binding alone does not see keytar's entry...
  refused(runCli(['--home', home, 'issue', 'n1'], keyringOnly), /keychain has no passphrase/);
  // ...so the first read with both bindings copies it over,
  ok(runCli(['--home', home, '--json', 'issue', 'n1'], auto));
  assert.equal(lookup(account).keyring, lookup(account).keytar);
  // and the day keytar cannot load, signing still works.
  ok(runCli(['--home', home, '--json', 'issue', 'n1'], keyringOnly));
});

test('delete removes both formats; accounts lists each once', async () => {
  assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS);
  const { store, primary } = selectKeychain('auto');
  assert.equal(primary?.name, 'keytar');
  const account = `test-delete-${process.pid}`;
  await store.set(account, 'one secret');
  assert.deepEqual(lookup(account), { keytar: 'one secret', keyring: 'one secret' });
  assert.equal((await store.accounts()).filter((a) => a === account).length, 1);
  assert.equal(await store.delete(account), true);
  assert.deepEqual(lookup(account), { keytar: '', keyring: '' });
  assert.equal(await store.delete(account), false);
});

test('no D-Bus session: each binding says the keychain is unreachable, and why', () => {
  const { home } = newVault(auto, 'Busless CA');
  const noBus = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cluster-trust-test-bus' };
  for (const [choice, backend] of [['keytar', 'keytar'], ['keyring', '@napi-rs/keyring']] as const) {
    const shown = ok<{ keychain: { backend: string; reachable: boolean; detail: string } }>(runCli(['--home', home, '--json', 'ca', 'show'], { ...noFile, ...noBus, CLUSTER_TRUST_KEYCHAIN: choice }));
    assert.equal(shown.keychain.backend, backend);
    assert.equal(shown.keychain.reachable, false);
    assert.match(shown.keychain.detail, /^the OS keychain is not reachable \(.+\)$/);
  }
});
