// A two-tier CA against the real gnome-keyring (scripts/test.sh's private session): the root and the
// intermediate each get their own random passphrase; `ca passphrase export` carries both; `ca root
// remove` deletes the root key and the root's keychain entry only, and issuance goes on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, runCli, sh, shResult, tempDir } from '../helpers/cli.ts';
import { ok } from './helpers.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));
const env = { CLUSTER_TRUST_PASSPHRASE_FILE: '' };

function lookup(fingerprint: string): { code: number; secret: string } {
  const r = shResult('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', `ca-${fingerprint}`]);
  return { code: r.code, secret: r.stdout.replace(/\n$/, '') };
}

test('two tiers with the keychain: a passphrase each, both exported, the root\'s deleted with its key by `ca root remove`', () => {
  assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run through scripts/test.sh (dbus-run-session + gnome-keyring)');
  const dir = tempDir();
  dirs.push(dir);
  const home = join(dir, 'home');
  const cli = (...args: string[]) => runCli(['--home', home, '--json', ...args], env);
  const ca = ok(cli('ca', 'init', '--intermediate', '--name', 'Keychain Two Tier'));
  const rootFp = ca.root.sha256.toLowerCase().replace(/:/g, '');
  const interFp = ca.sha256.toLowerCase().replace(/:/g, '');
  const rootPass = lookup(rootFp);
  const interPass = lookup(interFp);
  assert.equal(rootPass.code, 0);
  assert.equal(interPass.code, 0);
  assert.notEqual(rootPass.secret, interPass.secret, 'each key has its own passphrase');
  const rootKey = join(home, 'roots', readdirSync(join(home, 'roots'))[0]!, 'root.key');
  assert.match(sh('openssl', ['pkey', '-in', rootKey, '-passin', `pass:${rootPass.secret}`, '-noout', '-text']), /Private-Key/);
  assert.notEqual(shResult('openssl', ['pkey', '-in', rootKey, '-passin', `pass:${interPass.secret}`, '-noout']).code, 0);

  const passes = join(dir, 'passphrases.txt');
  const exported = ok(cli('ca', 'passphrase', 'export', '--out', passes));
  assert.deepEqual(exported.cas.sort(), ['Keychain Two Tier (root)', 'Keychain Two Tier Intermediate']);
  assert.match(readFileSync(passes, 'utf8'), new RegExp(`ca-${rootFp}\\t`));

  const keyPass = join(dir, 'key-pass');
  writeFileSync(keyPass, 'passphrase of the exported root key\n', { mode: 0o600 });
  ok(cli('ca', 'root', 'export', '--out', join(dir, 'root.key'), '--key-passphrase-file', keyPass));
  const removed = ok(cli('ca', 'root', 'remove'));
  assert.equal(removed.keychainEntryRemoved, true);
  assert.equal(existsSync(rootKey), false);
  assert.notEqual(lookup(rootFp).code, 0, 'the root passphrase left the keychain');
  assert.equal(lookup(interFp).secret, interPass.secret, 'the intermediate passphrase stays');
  ok(cli('node', 'add', 'n1', '--ip', '10.0.0.1'));
  ok(cli('issue', 'n1'));
  // The rotation from the file needs no keychain entry of the root.
  const rotated = ok(cli('ca', 'intermediate', 'rotate', '--root-key', join(dir, 'root.key'), '--key-passphrase-file', keyPass));
  assert.equal(rotated.ca.passphraseIn, 'keychain');
  assert.equal(lookup(rotated.ca.sha256.toLowerCase().replace(/:/g, '')).code, 0);
});

test('a two-tier root rotation with the keychain: the new root and the new intermediate get a random passphrase each; the old entries stay for the old CAs', () => {
  const dir = tempDir();
  dirs.push(dir);
  const home = join(dir, 'home');
  const cli = (...args: string[]) => runCli(['--home', home, '--json', ...args], env);
  const first = ok(cli('ca', 'init', '--intermediate', '--name', 'Keychain Root Rotation'));
  const rotated = ok(cli('ca', 'rotate'));
  const hexOf = (fp: string) => fp.toLowerCase().replace(/:/g, '');
  const rootPass = lookup(hexOf(rotated.ca.root.sha256));
  const interPass = lookup(hexOf(rotated.ca.sha256));
  assert.equal(rootPass.code, 0);
  assert.equal(interPass.code, 0);
  assert.notEqual(rootPass.secret, interPass.secret);
  assert.equal(rotated.ca.passphraseIn, 'keychain');
  assert.match(rotated.ca.root.passphraseLocation, /in the OS keychain/);
  const rootKey = join(home, 'roots', rotated.ca.root.id, 'root.key');
  assert.match(sh('openssl', ['pkey', '-in', rootKey, '-passin', `pass:${rootPass.secret}`, '-noout', '-text']), /Private-Key/);
  for (const fp of [first.root.sha256, first.sha256]) assert.equal(lookup(hexOf(fp)).code, 0, 'the old root and intermediate keep theirs');
  // The new root's key is what `ca intermediate rotate` needs once the old intermediate retired.
  ok(cli('ca', 'retire-old'));
  const inter = ok(cli('ca', 'intermediate', 'rotate'));
  assert.equal(inter.ca.root.sha256, rotated.ca.root.sha256);
});
