// No keychain at all (no D-Bus session): the CLI asks for the user's own CA passphrase on a real
// terminal (script(1)), keeps it nowhere, and asks again whenever it signs; scripts pass a file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, cleanup, runCli, sh, shResult, snapshot, tempDir } from '../helpers/cli.ts';
import { onTerminal } from '../helpers/tty.ts';
import { ok, refused } from './helpers.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

const OWN = 'correct horse battery 42';
const noKeychain = { ...process.env, CLUSTER_TRUST_PASSPHRASE_FILE: '', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cluster-trust-test-bus' };

test('no keychain: ca init asks for the passphrase twice on a terminal; signing asks again; nothing keeps it', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const home = join(dir, 'home');
  const init = onTerminal([process.execPath, CLI, '--home', home, 'ca', 'init', '--name', 'Typed CA'], noKeychain);
  await init.waitFor(/New CA passphrase: $/);
  init.type('too short');
  await init.waitFor(/Too short: at least 12 characters\.\s+New CA passphrase: $/);
  init.type(OWN);
  await init.waitFor(/Type it again: $/);
  init.type(`${OWN}x`);
  await init.waitFor(/The two differ; once more\.\s+New CA passphrase: $/);
  init.type(OWN);
  await init.waitFor(/Type it again: $/);
  init.type(OWN);
  assert.equal(await init.exited, 0, init.seen());
  assert.ok(!init.seen().includes(OWN), 'nothing typed is echoed');
  assert.match(init.seen(), /yours alone: typed when the CA was made, kept nowhere/);

  const inv = JSON.parse(readFileSync(join(home, 'inventory.json'), 'utf8')) as { cas: Array<{ id: string; passphraseIn: string; fingerprint: string }> };
  const ca = inv.cas[0]!;
  assert.equal(ca.passphraseIn, 'typed');
  // It really is the key's passphrase, and nothing on disk or in the keychain holds it.
  assert.match(sh('openssl', ['pkey', '-in', join(home, 'cas', ca.id, 'ca.key'), '-passin', `pass:${OWN}`, '-noout', '-text']), /Private-Key/);
  assert.equal(shResult('grep', ['-rlF', OWN, home]).code, 1);
  assert.equal(shResult('secret-tool', ['search', '--all', 'service', 'Cluster Trust', 'account', `ca-${ca.fingerprint}`]).stdout, '');

  ok(runCli(['--home', home, '--json', 'node', 'add', 'n1', '--ip', '10.0.0.1'], noKeychain));
  // No terminal: a clear refusal that says how, and nothing changes.
  const before = snapshot(home);
  const locked = runCli(['--home', home, 'issue', 'n1'], noKeychain);
  refused(locked, /the CA "Typed CA" is locked: its passphrase is yours and is kept nowhere/);
  assert.match(locked.stderr, /--passphrase-file FILE/);
  assert.deepEqual(snapshot(home), before);

  // On a terminal: asked once per attempt; a wrong one is asked again, never kept.
  const issue = onTerminal([process.execPath, CLI, '--home', home, 'issue', 'n1'], noKeychain);
  await issue.waitFor(/Passphrase of the CA "Typed CA": $/);
  issue.type('not the passphrase');
  await issue.waitFor(/Wrong passphrase\. Passphrase of the CA "Typed CA": $/);
  issue.type(OWN);
  assert.equal(await issue.exited, 0, issue.seen());
  assert.match(issue.seen(), /n1/);

  // Scripts: the same passphrase from a file.
  const pass = join(dir, 'pass');
  writeFileSync(pass, `${OWN}\n`, { mode: 0o600 });
  ok(runCli(['--home', home, '--json', 'issue', 'n1', '--passphrase-file', pass], noKeychain));
});

test('no keychain and no terminal: ca init refuses before writing anything and names both ways out', () => {
  const dir = tempDir();
  dirs.push(dir);
  const home = join(dir, 'home');
  const r = runCli(['--home', home, 'ca', 'init', '--name', 'Nowhere'], noKeychain);
  refused(r, /keychain is not reachable/);
  assert.match(r.stderr, /run on a terminal to type it, or pass --passphrase-file FILE/);
  assert.equal(shResult('test', ['-e', join(home, 'inventory.json')]).code, 1);
});

test('no keychain, two tiers: a root rotation asks for the typed passphrase once and gives it to the new root and intermediate, kept nowhere', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const home = join(dir, 'home');
  const init = onTerminal([process.execPath, CLI, '--home', home, 'ca', 'init', '--intermediate', '--name', 'Typed Tiers'], noKeychain);
  await init.waitFor(/New CA passphrase: $/);
  init.type(OWN);
  await init.waitFor(/Type it again: $/);
  init.type(OWN);
  assert.equal(await init.exited, 0, init.seen());

  const rotate = onTerminal([process.execPath, CLI, '--home', home, 'ca', 'rotate'], noKeychain);
  await rotate.waitFor(/Passphrase of the CA "Typed Tiers Intermediate": $/);
  rotate.type(OWN);
  assert.equal(await rotate.exited, 0, rotate.seen());
  assert.equal((rotate.seen().match(/Passphrase of the CA/g) ?? []).length, 1, 'asked once');
  assert.match(rotate.seen(), /new root:\s+Typed Tiers G2/);

  const inv = JSON.parse(readFileSync(join(home, 'inventory.json'), 'utf8')) as { cas: Array<{ id: string; status: string; passphraseIn: string; fingerprint: string }>; roots: Array<{ id: string; passphraseIn: string; fingerprint: string }> };
  const inter = inv.cas.find((c) => c.status === 'active')!;
  const root = inv.roots[1]!;
  assert.deepEqual([inter.passphraseIn, root.passphraseIn], ['typed', 'typed']);
  for (const key of [join(home, 'cas', inter.id, 'ca.key'), join(home, 'roots', root.id, 'root.key')]) {
    assert.match(sh('openssl', ['pkey', '-in', key, '-passin', `pass:${OWN}`, '-noout', '-text']), /Private-Key/);
  }
  assert.equal(shResult('grep', ['-rlF', OWN, home]).code, 1);
  for (const fp of [inter.fingerprint, root.fingerprint]) assert.equal(shResult('secret-tool', ['search', '--all', 'service', 'Cluster Trust', 'account', `ca-${fp}`]).stdout, '');
});
