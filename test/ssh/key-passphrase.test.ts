// Encrypted SSH keys: passphrases kept in the real OS keychain (gnome-keyring in the test session,
// read back with secret-tool), asked once before any node starts, never asked when ssh-agent holds
// the key, and a kept passphrase that stopped working is dropped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, sh, shResult } from '../helpers/cli.ts';
import { forgetInKeychain } from '../helpers/keychain.ts';
import { onTerminal } from '../helpers/tty.ts';
import { pushBundles } from '../../src-main/ssh/index.ts';
import type { PassphraseRequest } from '../../src-main/ssh/auth.ts';
import { createCluster, type Cluster, type TestNode } from './fixture.ts';

const PASS = 'correct horse battery staple';
let cluster: Cluster;
let encKey: string;
let passFile: string;

before(async () => {
  assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run through scripts/test.sh (dbus-run-session + gnome-keyring): these tests prove the keychain works');
  cluster = await createCluster();
  encKey = join(cluster.dir, 'enc_key');
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASS, '-f', encKey]);
  passFile = join(cluster.dir, 'enc-pass');
  writeFileSync(passFile, `${PASS}\n`, { mode: 0o600 });
});

after(() => {
  forgetInKeychain(`ssh-key:${encKey}`);
  cluster?.close();
});

function kept(): string | null {
  const r = shResult('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', `ssh-key:${encKey}`]);
  return r.code === 0 ? r.stdout : null;
}

async function encNode(name: string): Promise<TestNode> {
  const node = await cluster.addNode(name, { authorizedKeys: readFileSync(`${encKey}.pub`, 'utf8'), noKey: true, args: ['--ssh-key', encKey] });
  const r = cluster.cli('issue', name);
  assert.equal(r.code, 0, r.stderr);
  return node;
}

test('push --remember-ssh-key-passphrase keeps it in the keychain; later pushes need no file; ssh-key forget drops it', async () => {
  const node = await encNode('keep1');
  const refused = cluster.cli('push', 'keep1', '--remember-ssh-key-passphrase');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /--remember-ssh-key-passphrase needs --ssh-key-passphrase-file FILE/);
  assert.equal(kept(), null);

  const first = await cluster.cliAsync('push', 'keep1', '--accept-new-host-keys', '--ssh-key-passphrase-file', passFile, '--remember-ssh-key-passphrase');
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.ok(readdirSync(node.dest).includes('node.key'));
  assert.equal(kept(), PASS, 'the keychain holds exactly the passphrase');
  assert.match(cluster.cli('ssh-key', 'list').stdout, new RegExp(encKey.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));

  // No file, no prompt: the keychain unlocks the key.
  cluster.cli('issue', 'keep1');
  const second = await cluster.cliAsync('push', 'keep1');
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.match(second.stdout, /keep1\s+updated/);

  const forget = cluster.cli('ssh-key', 'forget', encKey);
  assert.equal(forget.code, 0, forget.stderr);
  assert.match(forget.stdout, /forgot the passphrase of/);
  assert.equal(kept(), null);
  assert.match(cluster.cli('ssh-key', 'forget', encKey).stdout, /no passphrase was kept for/);
  const third = await cluster.cliAsync('push', 'keep1');
  assert.equal(third.code, 1);
  assert.match(third.stdout, /the SSH key .*enc_key is encrypted/);
});

test('ssh-key remember checks the passphrase against the key first; bad input keeps nothing', () => {
  const wrong = join(cluster.dir, 'wrong-pass');
  writeFileSync(wrong, 'not it\n', { mode: 0o600 });
  const bad = cluster.cli('ssh-key', 'remember', encKey, '--ssh-key-passphrase-file', wrong);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /wrong passphrase for the SSH key .*enc_key/);
  assert.equal(kept(), null);
  const plain = cluster.cli('ssh-key', 'remember', cluster.key, '--ssh-key-passphrase-file', passFile);
  assert.equal(plain.code, 1);
  assert.match(plain.stderr, /is not encrypted: there is no passphrase to keep/);
  const pub = cluster.cli('ssh-key', 'remember', `${encKey}.pub`, '--ssh-key-passphrase-file', passFile);
  assert.equal(pub.code, 1);
  assert.match(pub.stderr, /enc_key\.pub/);
  const missing = cluster.cli('ssh-key', 'remember', join(cluster.dir, 'nope'), '--ssh-key-passphrase-file', passFile);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read the SSH key .*nope \(ENOENT\)/);
  const noFile = cluster.cli('ssh-key', 'remember', encKey);
  assert.equal(noFile.code, 1);
  assert.match(noFile.stderr, /--ssh-key-passphrase-file PASSFILE/);
  assert.equal(kept(), null);
  const ok = cluster.cli('ssh-key', 'remember', encKey, '--ssh-key-passphrase-file', passFile);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(kept(), PASS);
  cluster.cli('ssh-key', 'forget', encKey);
});

test('a kept passphrase that no longer opens the key (re-encrypted) is dropped, and the user is asked', async () => {
  await encNode('stale1');
  assert.equal(cluster.cli('ssh-key', 'remember', encKey, '--ssh-key-passphrase-file', passFile).code, 0);
  const newPass = 'a brand new passphrase';
  sh('ssh-keygen', ['-q', '-p', '-P', PASS, '-N', newPass, '-f', encKey]);
  try {
    const asked: PassphraseRequest[] = [];
    const results = await pushBundles(cluster.ctx(), ['stale1'], {
      acceptNewHostKeys: true,
      verify: false,
      hostKeyFiles: cluster.hostKeyFiles(),
      auth: { agent: null, askPassphrase: (req) => (asked.push(req), newPass) },
    });
    assert.equal(results[0]!.status, 'updated', results[0]!.message);
    assert.deepEqual(asked.map((a) => a.attempt), [1], 'asked once, after the stale one failed');
    assert.equal(kept(), null, 'the stale passphrase is gone from the keychain');
  } finally {
    sh('ssh-keygen', ['-q', '-p', '-P', newPass, '-N', PASS, '-f', encKey]);
  }
});

test('the passphrase is asked once, before any node connects, for several nodes sharing the key; three wrong answers fail those nodes only', async () => {
  await encNode('ask1');
  await encNode('ask2');
  await cluster.addNode('plain1');
  assert.equal(cluster.cli('issue', 'plain1').code, 0);
  const order: string[] = [];
  const results = await pushBundles(
    cluster.ctx(),
    ['ask1', 'ask2', 'plain1'],
    {
      acceptNewHostKeys: true,
      verify: false,
      hostKeyFiles: cluster.hostKeyFiles(),
      auth: { agent: null, askPassphrase: ({ attempt }) => (order.push(`ask ${attempt}`), PASS) },
    },
    (e) => {
      if (e.phase === 'connecting') order.push(`connect ${e.node}`);
    },
  );
  assert.deepEqual(results.map((r) => r.status), ['updated', 'updated', 'updated'], results.map((r) => r.message).join('; '));
  assert.equal(order[0], 'ask 1', 'asked before anything connects');
  assert.equal(order.filter((o) => o.startsWith('ask')).length, 1, 'one question for both nodes');

  cluster.cli('issue', 'ask1', 'ask2', 'plain1');
  let asks = 0;
  const wrong = await pushBundles(cluster.ctx(), ['ask1', 'ask2', 'plain1'], {
    verify: false,
    hostKeyFiles: cluster.hostKeyFiles(),
    auth: { agent: null, askPassphrase: () => (asks++, 'wrong') },
  });
  assert.equal(asks, 3);
  assert.deepEqual(wrong.map((r) => r.status), ['failed', 'failed', 'updated']);
  assert.match(wrong[0]!.message, /wrong passphrase for the SSH key .*enc_key/);
  assert.deepEqual(wrong.map((r) => r.error?.code ?? null), ['bad-passphrase', 'bad-passphrase', null], 'front ends classify by this code');
  const declined = await pushBundles(cluster.ctx(), ['ask1'], { verify: false, hostKeyFiles: cluster.hostKeyFiles(), auth: { agent: null, askPassphrase: () => null } });
  assert.match(declined[0]!.message, /no passphrase was given for the SSH key .*enc_key/);
  assert.equal(declined[0]!.error?.code, 'no-passphrase');
});

test('a key ssh-agent holds is never asked for', async () => {
  await encNode('agent1');
  const sock = join(cluster.dir, 'agent-enc.sock');
  const out = sh('ssh-agent', ['-a', sock, '-s']);
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)![1]);
  try {
    // ssh-add reads the passphrase from an askpass program when told to.
    const askpass = join(cluster.dir, 'askpass.sh');
    writeFileSync(askpass, `#!/bin/sh\ncat '${passFile}'\n`, { mode: 0o700 });
    sh('ssh-add', ['-q', encKey], { env: { SSH_AUTH_SOCK: sock, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':none' } });
    let asks = 0;
    const results = await pushBundles(cluster.ctx(), ['agent1'], {
      acceptNewHostKeys: true,
      verify: false,
      hostKeyFiles: cluster.hostKeyFiles(),
      auth: { agent: sock, askPassphrase: () => (asks++, PASS) },
    });
    assert.equal(results[0]!.status, 'updated', results[0]!.message);
    assert.equal(asks, 0);
    // The same push without the agent does ask: the test above would notice a prompt.
    cluster.cli('issue', 'agent1');
    const without = await pushBundles(cluster.ctx(), ['agent1'], { verify: false, hostKeyFiles: cluster.hostKeyFiles(), auth: { agent: null, askPassphrase: () => (asks++, PASS) } });
    assert.equal(without[0]!.status, 'updated', without[0]!.message);
    assert.equal(asks, 1);
  } finally {
    process.kill(pid, 'SIGTERM');
  }
});

test('on a terminal the CLI asks for the passphrase without echoing it, again after a wrong one', async () => {
  const node = await encNode('tty1');
  // `script` gives the CLI a real pseudo-terminal; the test types into it once the prompt shows.
  const tty = onTerminal([process.execPath, CLI, '--home', cluster.home, '--passphrase-file', cluster.pass, 'push', 'tty1', '--accept-new-host-keys'], { ...process.env, HOME: cluster.userHome, SSH_AUTH_SOCK: '' });
  await tty.waitFor(/Passphrase for \S*enc_key: $/);
  tty.type('not it');
  await tty.waitFor(/Wrong passphrase\. Passphrase for \S*enc_key: $/);
  tty.type(PASS);
  assert.equal(await tty.exited, 0, tty.seen());
  assert.match(tty.seen(), /tty1\s+updated/);
  assert.ok(!tty.seen().includes(PASS) && !tty.seen().includes('not it'), `nothing typed is echoed:\n${tty.seen()}`);
  assert.ok(readdirSync(node.dest).includes('node.key'));
});
