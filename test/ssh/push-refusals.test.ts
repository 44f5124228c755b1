import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh, snapshot } from '../helpers/cli.ts';
import { createCluster, hostsLine, type Cluster, type TestNode } from './fixture.ts';
import { fingerprintOf } from './sshd.ts';

// Host keys, user keys and destinations that must make a push refuse, clearly, changing nothing.
let cluster: Cluster;

before(async () => {
  cluster = await createCluster();
});

after(() => cluster?.close());

async function nodeWithCert(name: string, opts: Parameters<Cluster['addNode']>[1] = {}): Promise<TestNode> {
  const node = await cluster.addNode(name, opts);
  const r = cluster.cli('issue', name);
  assert.equal(r.code, 0, r.stderr);
  return node;
}

/** The error code of the one node of a `--json push`: what the app's screens classify by. */
function pushCode(r: { stdout: string }): string | null {
  return (JSON.parse(r.stdout) as { results: Array<{ error: { code: string } | null }> }).results[0]!.error?.code ?? null;
}

function appKnownHosts(): string {
  const file = join(cluster.home, 'known_hosts');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

test('an unknown host key refuses with its SHA-256 fingerprint and writes nothing; --accept-new-host-keys records it', async () => {
  const node = await nodeWithCert('hk1');
  const fp = fingerprintOf(node.sshd.hostKey);
  const r = await cluster.cliAsync('push', 'hk1');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /hk1\s+failed\s+unknown host key for \[127\.0\.0\.1\]:\d+ \(ED25519 SHA256:/);
  assert.equal(pushCode(await cluster.cliAsync('--json', 'push', 'hk1')), 'host-key-unknown');
  assert.ok(r.stdout.includes(`ED25519 ${fp})`), `the refusal must quote ${fp}:\n${r.stdout}`);
  assert.match(r.stdout, /1 node: 0 failed|1 failed/);
  assert.ok(!existsSync(join(node.dest, '..', '.tls.cluster-trust')), 'nothing may be written on the node');
  assert.ok(!appKnownHosts().includes(hostsLine(node)));
  // A dry run with accept-new connects but records nothing.
  const dry = await cluster.cliAsync('push', 'hk1', '--dry-run', '--accept-new-host-keys');
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  assert.ok(!appKnownHosts().includes(hostsLine(node)));
  const ok = await cluster.cliAsync('push', 'hk1', '--accept-new-host-keys');
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const line = appKnownHosts().split('\n').find((l) => l.startsWith(`${hostsLine(node)} `));
  assert.ok(line, 'the accepted key is recorded in the vault\'s known_hosts');
  // The recorded line is one OpenSSH itself accepts for that host.
  const kh = join(cluster.dir, 'kh-check');
  writeFileSync(kh, `${line}\n`);
  const ssh = spawnSync('ssh', ['-i', cluster.key, '-p', String(node.sshd.port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${kh}`, 'root@127.0.0.1', 'true'], { encoding: 'utf8' });
  assert.equal(ssh.status, 0, ssh.stderr);
});

test('a changed host key refuses loudly, even with --accept-new-host-keys, and changes nothing', async () => {
  const node = await nodeWithCert('hk2');
  const first = await cluster.cliAsync('push', 'hk2', '--accept-new-host-keys');
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const known = appKnownHosts();
  assert.equal(cluster.cli('issue', 'hk2').code, 0);
  const files = snapshot(join(node.dest, '..'));
  await node.sshd.restart({ newHostKey: true });
  const r = await cluster.cliAsync('push', 'hk2', '--accept-new-host-keys');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /HOST KEY CHANGED for \[127\.0\.0\.1\]:\d+: the node now presents ED25519 SHA256:/);
  assert.equal(pushCode(await cluster.cliAsync('--json', 'push', 'hk2', '--accept-new-host-keys')), 'host-key-changed');
  assert.ok(r.stdout.includes(fingerprintOf(node.sshd.hostKey)));
  assert.ok(r.stdout.includes(`${join(cluster.home, 'known_hosts')}:`), 'the error names the file and line that know the old key');
  assert.equal(appKnownHosts(), known, 'the known key is not replaced');
  assert.deepEqual(snapshot(join(node.dest, '..')), files);
});

test('hashed entries and [host]:port forms in ~/.ssh/known_hosts (from ssh-keyscan -H) are honoured', async () => {
  const node = await nodeWithCert('hk3');
  const scanned = sh('ssh-keyscan', ['-H', '-t', 'ed25519', '-p', String(node.sshd.port), '127.0.0.1']);
  assert.match(scanned, /^\|1\|/m, 'ssh-keyscan -H writes hashed entries');
  appendFileSync(join(cluster.userHome, '.ssh', 'known_hosts'), scanned);
  const r = await cluster.cliAsync('push', 'hk3');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /hk3\s+updated/);
  assert.ok(!appKnownHosts().includes(hostsLine(node)), 'a key known to OpenSSH is not copied into the vault');
  // The same hashed entry, marked @revoked, refuses.
  const revoked = scanned.split('\n').filter((l) => l.startsWith('|1|')).map((l) => `@revoked ${l}`).join('\n');
  appendFileSync(join(cluster.userHome, '.ssh', 'known_hosts'), `${revoked}\n`);
  assert.equal(cluster.cli('issue', 'hk3').code, 0);
  const again = await cluster.cliAsync('push', 'hk3', '--accept-new-host-keys');
  assert.equal(again.code, 1);
  assert.match(again.stdout, /is marked @revoked/);
});

test('a user key the node does not accept refuses, without retrying', async () => {
  const other = join(cluster.dir, 'other_key');
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
  const node = await nodeWithCert('wrongkey', { authorizedKeys: readFileSync(`${other}.pub`, 'utf8') });
  const r = await cluster.cliAsync('--json', 'push', 'wrongkey', '--accept-new-host-keys');
  assert.equal(r.code, 1);
  const res = (JSON.parse(r.stdout) as { results: Array<{ status: string; message: string; attempts: number }> }).results[0]!;
  assert.equal(res.status, 'failed');
  assert.equal(pushCode(r), 'auth-refused');
  assert.match(res.message, /^authentication failed for root@\[127\.0\.0\.1\]:\d+ \(tried key .*\/id_ed25519\): the node does not accept these keys$/);
  assert.equal(res.attempts, 1);
  assert.ok(!existsSync(join(node.dest, '..', '.tls.cluster-trust')));
});

test('a read-only destination gives a clear error and changes nothing', async () => {
  // The node's sshd sees its etc/ folder through a read-only bind mount: writes fail with EROFS.
  const node = await nodeWithCert('readonly', { readOnlyDir: true });
  const before = snapshot(join(node.dest, '..'));
  const r = await cluster.cliAsync('push', 'readonly', '--accept-new-host-keys');
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /readonly\s+failed\s+cannot write in \S+\/nodes\/readonly\/etc on the node: Read-only file system; the node keeps its previous bundle/);
  assert.deepEqual(snapshot(join(node.dest, '..')), before);
});

test('an encrypted key works with --ssh-key-passphrase-file; a wrong passphrase is a clear error', async () => {
  const enc = join(cluster.dir, 'enc_key');
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse battery', '-f', enc]);
  const node = await nodeWithCert('enc', { authorizedKeys: readFileSync(`${enc}.pub`, 'utf8'), noKey: true, args: ['--ssh-key', enc] });
  const noPass = await cluster.cliAsync('push', 'enc', '--accept-new-host-keys');
  assert.equal(noPass.code, 1);
  assert.match(noPass.stdout, /the SSH key .*enc_key is encrypted: give its passphrase \(--ssh-key-passphrase-file FILE\), keep it in the keychain \(--remember-ssh-key-passphrase\), or load the key into ssh-agent/);
  const wrong = join(cluster.dir, 'wrong-pass');
  writeFileSync(wrong, 'not the passphrase\n', { mode: 0o600 });
  const bad = await cluster.cliAsync('push', 'enc', '--accept-new-host-keys', '--ssh-key-passphrase-file', wrong);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /wrong passphrase for the SSH key .*enc_key/);
  const right = join(cluster.dir, 'right-pass');
  writeFileSync(right, 'correct horse battery\n', { mode: 0o600 });
  const ok = await cluster.cliAsync('push', 'enc', '--accept-new-host-keys', '--ssh-key-passphrase-file', right);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.ok(readdirSync(node.dest).includes('node.key'));
  const missing = await cluster.cliAsync('push', 'enc', '--ssh-key-passphrase-file', join(cluster.dir, 'nope'));
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /enc\s+failed\s+cannot read the SSH key passphrase file .*nope/);
});

test('ssh-agent authenticates when the node names no key file', async () => {
  const agentKey = join(cluster.dir, 'agent_key');
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', agentKey]);
  const sock = join(cluster.dir, 'agent.sock');
  const out = sh('ssh-agent', ['-a', sock, '-s']);
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)![1]);
  try {
    sh('ssh-add', ['-q', agentKey], { env: { SSH_AUTH_SOCK: sock } });
    const node = await nodeWithCert('agent', { authorizedKeys: readFileSync(`${agentKey}.pub`, 'utf8'), noKey: true });
    const { runCliAsync } = await import('../helpers/cli.ts');
    const base = ['--home', cluster.home, '--passphrase-file', cluster.pass];
    const noAgent = await runCliAsync([...base, 'push', 'agent', '--accept-new-host-keys'], { HOME: cluster.userHome, SSH_AUTH_SOCK: '' });
    assert.equal(noAgent.code, 1);
    assert.match(noAgent.stdout, /no SSH credentials for root@\[127\.0\.0\.1\]:\d+: set the node's key/);
    const r = await runCliAsync([...base, 'push', 'agent', '--accept-new-host-keys'], { HOME: cluster.userHome, SSH_AUTH_SOCK: sock });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(readdirSync(node.dest).includes('node.crt'));
    // A stale SSH_AUTH_SOCK (agent gone) is skipped: a node with a key file still gets through.
    await nodeWithCert('stale-agent');
    const stale = await runCliAsync([...base, 'push', 'stale-agent', '--accept-new-host-keys'], { HOME: cluster.userHome, SSH_AUTH_SOCK: join(cluster.dir, 'dead-agent.sock') });
    assert.equal(stale.code, 0, stale.stdout + stale.stderr);
    assert.match(stale.stdout, /stale-agent\s+updated/);
  } finally {
    process.kill(pid, 'SIGTERM');
  }
});

test('a state folder beside --dest that another user made, or that group or others may write in, is refused, not adopted (issue 13, item 6)', async () => {
  const node = await nodeWithCert('sf1');
  const state = join(node.dest, '..', '.tls.cluster-trust');
  mkdirSync(state, { mode: 0o755 });
  chownSync(state, 65534, 65534);
  const foreign = await cluster.cliAsync('push', 'sf1', '--accept-new-host-keys');
  assert.equal(foreign.code, 1, foreign.stdout + foreign.stderr);
  assert.match(foreign.stdout, /sf1\s+failed\s+the state folder \S+\/\.tls\.cluster-trust on the node belongs to uid 65534, not to the push user \(uid 0\) or root, so another user could swap the bundle the service loads; remove it/);
  assert.ok(!existsSync(node.dest), 'nothing is installed');
  assert.deepEqual(readdirSync(state), [], 'the upload folder made to learn the push user is gone');

  chownSync(state, 0, 0);
  for (const mode of [0o777, 0o775, 0o757]) {
    chmodSync(state, mode);
    const writable = await cluster.cliAsync('push', 'sf1');
    assert.equal(writable.code, 1, writable.stdout + writable.stderr);
    assert.match(writable.stdout, new RegExp(`sf1\\s+failed\\s+the state folder \\S+ on the node is writable by its group or others \\(mode 0${mode.toString(8)}\\)`));
    assert.ok(!existsSync(node.dest));
  }

  // The --owner user's own folder is trusted, and so is root's once it is not writable by others.
  chownSync(state, 65534, 65534);
  chmodSync(state, 0o755);
  const owned = await cluster.cliAsync('push', 'sf1', '--owner', '65534:65534');
  assert.equal(owned.code, 0, owned.stdout + owned.stderr);
  chownSync(state, 0, 0);
  const rootOwned = await cluster.cliAsync('push', 'sf1');
  assert.equal(rootOwned.code, 0, rootOwned.stdout + rootOwned.stderr);
  assert.equal(readFileSync(join(node.dest, 'node.crt'), 'utf8').includes('BEGIN CERTIFICATE'), true);
});
