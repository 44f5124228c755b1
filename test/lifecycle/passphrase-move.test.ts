// Moving a vault to another machine: the backup holds the CA keys encrypted, the keychain holds their
// random passphrases. `ca passphrase export` / `import` carry those across; the "other machine" is the
// same real gnome-keyring with the entries deleted (secret-tool), which is what a new machine looks like.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, runCli, shResult, snapshot, tempDir } from '../helpers/cli.ts';
import { forgetInKeychain } from '../helpers/keychain.ts';

const dir = tempDir('ct-passmove-');
after(() => cleanup(dir));
// No passphrase file anywhere: the keychain is the only source.
const env = { CLUSTER_TRUST_PASSPHRASE_FILE: '' };
const at = (home: string) => (...args: string[]) => runCli(['--home', home, ...args], env);

test('export the keychain\'s CA passphrases, restore the backup "elsewhere", import them, and sign again', () => {
  assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run through scripts/test.sh (dbus-run-session + gnome-keyring)');
  const home = join(dir, 'origin');
  const cli = at(home);
  assert.equal(cli('ca', 'init', '--name', 'Moving CA').code, 0);
  assert.equal(cli('node', 'add', 'm1', '--ip', '10.7.0.1').code, 0);
  assert.equal(cli('issue', 'm1').code, 0);
  // A rotation: two CAs, two random passphrases, both needed (old node keys are sealed under the old one).
  assert.equal(cli('ca', 'rotate').code, 0);
  const inv = JSON.parse(readFileSync(join(home, 'inventory.json'), 'utf8')) as { cas: Array<{ fingerprint: string }> };
  const accounts = inv.cas.map((c) => `ca-${c.fingerprint}`);
  const backup = join(dir, 'vault.tar.gz');
  const b = cli('backup', '--out', backup);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /ca passphrase export --out FILE/);

  const file = join(dir, 'passphrases.txt');
  const ex = cli('ca', 'passphrase', 'export', '--out', file);
  assert.equal(ex.code, 0, ex.stderr);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(lines.map((l) => l.split('\t')[0]).sort(), [...accounts].sort());
  for (const line of lines) {
    const [account, pass] = line.split('\t');
    assert.equal(shResult('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', account!]).stdout, pass, 'the file holds exactly the keychain\'s passphrase');
  }
  const again = cli('ca', 'passphrase', 'export', '--out', file);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists/);

  // The other machine: the keychain has none of them.
  for (const a of accounts) forgetInKeychain(a);
  const newHome = join(dir, 'elsewhere');
  const there = at(newHome);
  // Without its passphrase this machine cannot authenticate the backup: checksum only, on request.
  const unchecked = there('restore', backup);
  assert.equal(unchecked.code, 1);
  assert.match(unchecked.stderr, /cannot be authenticated on this machine.*--accept-unauthenticated/);
  const restored = there('restore', backup, '--accept-unauthenticated');
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stdout, /checksum only, NOT authenticated/);
  const blocked = there('renew', 'm1');
  assert.equal(blocked.code, 1);
  assert.match(blocked.stderr, /keychain has no passphrase for this CA/);

  // A tampered file stores nothing, and says which CA it failed.
  const bad = join(dir, 'bad.txt');
  writeFileSync(bad, readFileSync(file, 'utf8').replace(/\t(\S)/, (_, c: string) => `\t${c === 'A' ? 'B' : 'A'}`), { mode: 0o600 });
  const refused = there('ca', 'passphrase', 'import', bad);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /does not open its key; nothing was stored/);
  for (const a of accounts) assert.notEqual(shResult('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', a]).code, 0, 'nothing stored');
  const junk = join(dir, 'junk.txt');
  writeFileSync(junk, 'hello world\n', { mode: 0o600 });
  assert.match(there('ca', 'passphrase', 'import', junk).stderr, /line 1 is not "ca-<fingerprint><TAB><passphrase>"/);
  assert.match(there('ca', 'passphrase', 'import', join(dir, 'nope')).stderr, /cannot read .*nope \(ENOENT\)/);

  const before = snapshot(newHome);
  const im = there('ca', 'passphrase', 'import', file);
  assert.equal(im.code, 0, im.stderr);
  assert.match(im.stdout, /stored the passphrases of Moving CA, Moving CA G2 in the OS keychain/);
  assert.deepEqual(Object.keys(snapshot(newHome)).filter((f) => f !== 'audit.jsonl').sort(), Object.keys(before).filter((f) => f !== 'audit.jsonl').sort());
  // Signing works again, including re-sealing a key kept from the old CA's time.
  const renewed = there('renew', 'm1', '--keep-key');
  assert.equal(renewed.code, 0, renewed.stderr);
  for (const a of accounts) forgetInKeychain(a);
});

test('export refuses when no CA keeps its passphrase in the keychain (the user\'s file is the copy)', () => {
  const home = join(dir, 'filed');
  const pass = join(dir, 'filed-pass');
  writeFileSync(pass, 'a passphrase from a file here\n', { mode: 0o600 });
  assert.equal(runCli(['--home', home, '--passphrase-file', pass, 'ca', 'init', '--name', 'Filed CA']).code, 0);
  const r = runCli(['--home', home, 'ca', 'passphrase', 'export', '--out', join(dir, 'x.txt')], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no CA in this vault keeps its passphrase in the keychain/);
});
