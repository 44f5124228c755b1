import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { sh, snapshot } from '../helpers/cli.ts';
import { freePort } from '../helpers/ports.ts';
import { pushBundles } from '../../src-main/ssh/index.ts';
import { createCluster, currentFingerprint, type Cluster, type TestNode } from './fixture.ts';

// Options, limits and the node-side states a push must handle (adoption, foreign files, owner,
// restart failures, live-check failures, timeouts, retries, cancel), each against real sshd.
let cluster: Cluster;
const servers: Server[] = [];
const held: Socket[] = [];

before(async () => {
  cluster = await createCluster();
});

after(() => {
  for (const s of held) s.destroy();
  for (const s of servers) s.close();
  cluster?.close();
});

async function nodeWithCert(name: string, opts: Parameters<Cluster['addNode']>[1] = {}): Promise<TestNode> {
  const node = await cluster.addNode(name, opts);
  const r = cluster.cli('issue', name);
  assert.equal(r.code, 0, r.stderr);
  return node;
}

/** A plain TLS server (like most services) that loads its certificate from `dir` on every connection. */
async function tlsServerReading(dir: () => string): Promise<number> {
  const port = await freePort();
  const srv = createNetServer((sock) => {
    const d = dir();
    const ctx = createSecureContext({ cert: readFileSync(join(d, 'node.crt')), key: readFileSync(join(d, 'node.key')) });
    const tls = new TLSSocket(sock, { isServer: true, secureContext: ctx });
    tls.on('error', () => tls.destroy());
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
  return port;
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function selfSignedDir(): string {
  const d = join(cluster.dir, 'other-cert');
  if (!existsSync(d)) {
    mkdirSync(d);
    sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=impostor', '-days', '2', '-keyout', join(d, 'node.key'), '-out', join(d, 'node.crt')]);
  }
  return d;
}

test('bad requests are refused up front with one line', async () => {
  await nodeWithCert('opt1');
  const cases: Array<[string[], RegExp]> = [
    [['push'], /usage: cluster-trust push NAME\.\.\. \| --all/],
    [['push', 'opt1', '--all'], /give node names or --all, not both/],
    [['push', 'nosuch'], /no node named "nosuch"/],
    [['push', 'opt1', '--concurrency', '0'], /concurrency must be a whole number from 1 to 256/],
    [['push', 'opt1', '--concurrency', 'lots'], /--concurrency must be a whole number/],
    [['push', 'opt1', '--timeout', '0'], /per-node timeout must be from 1 to 3600 seconds/],
    [['push', 'opt1', '--owner', 'bad owner!'], /invalid owner "bad owner!"/],
  ];
  for (const [args, want] of cases) {
    const r = cluster.cli(...args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, want, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
  const opt1 = cluster.nodes.find((n) => n.name === 'opt1')!;
  assert.equal(cluster.cli('node', 'add', 'twin', '--ip', '127.0.0.1', '--ssh', `root@127.0.0.1:${opt1.sshd.port}`, '--ssh-key', cluster.key, '--dest', opt1.dest).code, 0);
  assert.equal(cluster.cli('issue', 'twin').code, 0);
  const twins = cluster.cli('push', 'opt1', 'twin', '--dry-run', '--accept-new-host-keys');
  assert.equal(twins.code, 1);
  assert.match(twins.stdout, new RegExp(`twin\\s+failed\\s+nodes "opt1" and "twin" both push to ${opt1.dest} on 127\\.0\\.0\\.1:${opt1.sshd.port}; give one of them another --dest`));
  assert.match(twins.stdout, /opt1\s+would-update/);
  assert.equal(cluster.cli('node', 'remove', 'twin', '--keep-cert').code, 0);
  const noTarget = cluster.cli('node', 'add', 'nossh', '--ip', '10.0.0.9');
  assert.equal(noTarget.code, 0);
  assert.equal(cluster.cli('issue', 'nossh').code, 0);
  const r = cluster.cli('push', 'nossh');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /nossh\s+failed\s+node "nossh" has no SSH target: set one with `cluster-trust node edit nossh --ssh user@host\[:port\]`/);
  const noCert = cluster.cli('node', 'add', 'nocert', '--ip', '127.0.0.1', '--ssh', 'root@127.0.0.1:1');
  assert.equal(noCert.code, 0);
  const r2 = cluster.cli('push', 'nocert');
  assert.equal(r2.code, 1);
  assert.match(r2.stdout, /nocert\s+failed\s+node "nocert" has no certificate yet/);
});

test('a hand-made destination folder is adopted (kept as the backup); one with foreign files is refused untouched', async () => {
  const node = await nodeWithCert('adopt');
  mkdirSync(node.dest, { recursive: true });
  writeFileSync(join(node.dest, 'node.crt'), 'old certificate placed by hand\n');
  const r = await cluster.cliAsync('push', 'adopt', '--accept-new-host-keys', '--dry-run');
  assert.match(r.stdout, /adopt\s+would-update\s+would adopt the existing folder and change: add ca\.crt, update node\.crt/);
  const ok = await cluster.cliAsync('--json', 'push', 'adopt', '--accept-new-host-keys');
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const res = (JSON.parse(ok.stdout) as { results: Array<{ backup: string }> }).results[0]!;
  assert.ok(lstatSync(node.dest).isSymbolicLink());
  assert.equal(readFileSync(join(res.backup, 'node.crt'), 'utf8'), 'old certificate placed by hand\n');

  const other = await nodeWithCert('foreign');
  mkdirSync(other.dest, { recursive: true });
  writeFileSync(join(other.dest, 'nats.conf'), 'the service config, not ours\n');
  const before = snapshot(join(other.dest, '..'));
  const dryRefused = await cluster.cliAsync('push', 'foreign', '--accept-new-host-keys', '--dry-run');
  assert.equal(dryRefused.code, 1, 'a dry run says the push would be refused');
  assert.match(dryRefused.stdout, /holds files that are not part of the bundle \(nats\.conf\)/);
  const refused = await cluster.cliAsync('push', 'foreign', '--accept-new-host-keys');
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /holds files that are not part of the bundle \(nats\.conf\); a push replaces the whole folder/);
  assert.deepEqual(snapshot(join(other.dest, '..')), before);
  assert.ok(!lstatSync(other.dest).isSymbolicLink());
});

test('--owner sets the owner of every pushed file, resolved on the node', async () => {
  const node = await nodeWithCert('owned');
  const r = await cluster.cliAsync('push', 'owned', '--accept-new-host-keys', '--owner', 'nobody:nogroup');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const uid = Number(sh('id', ['-u', 'nobody']).trim());
  const gid = Number(sh('getent', ['group', 'nogroup']).split(':')[2]);
  for (const f of readdirSync(node.dest)) {
    const st = statSync(join(node.dest, f));
    assert.equal(st.uid, uid, f);
    assert.equal(st.gid, gid, f);
  }
  assert.equal(statSync(join(node.dest, 'node.key')).mode & 0o777, 0o600);
  // Same owner again: unchanged. Another owner: an owner change.
  const same = await cluster.cliAsync('push', 'owned', '--owner', 'nobody:nogroup');
  assert.match(same.stdout, /owned\s+unchanged/);
  const dry = await cluster.cliAsync('push', 'owned', '--owner', 'root', '--dry-run');
  assert.match(dry.stdout, new RegExp(`owner node\\.key \\(${uid}:${gid} -> 0:0\\)`));
  const noUser = await cluster.cliAsync('push', 'owned', '--owner', 'no-such-user-xyz');
  assert.equal(noUser.code, 1);
  assert.match(noUser.stdout, /the owner user "no-such-user-xyz" does not exist on the node/);
});

test('a node\'s own owner (node add/edit --owner) wins over push --owner; \'\' clears it; a bad one is refused with the vault unchanged', async () => {
  const node = await nodeWithCert('ownnode', { args: ['--owner', 'nobody:nogroup'] });
  const uid = Number(sh('id', ['-u', 'nobody']).trim());
  const r = await cluster.cliAsync('push', 'ownnode', '--accept-new-host-keys', '--owner', 'root');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  for (const f of readdirSync(node.dest)) assert.equal(statSync(join(node.dest, f)).uid, uid, f);
  assert.match(cluster.cli('node', 'show', 'ownnode').stdout, /owner:\s+nobody:nogroup/);
  const before = snapshot(cluster.home);
  const bad = cluster.cli('node', 'edit', 'ownnode', '--owner', 'no body');
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /invalid owner "no body": use user, user:group or uid:gid/);
  assert.deepEqual(snapshot(cluster.home), before);
  // Cleared: the files belong to the SSH user again (root here).
  assert.equal(cluster.cli('node', 'edit', 'ownnode', '--owner', '').code, 0);
  assert.match(cluster.cli('node', 'show', 'ownnode').stdout, /owner:\s+the SSH user/);
  const again = await cluster.cliAsync('push', 'ownnode');
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /ownnode\s+updated/);
  for (const f of readdirSync(node.dest)) assert.equal(statSync(join(node.dest, f)).uid, 0, f);
});

test('node edit clears push settings with \'\' and keeps the key file when only the target changes', async () => {
  await cluster.addNode('settings', { args: ['--restart', 'true', '--verify-port', '4222'] });
  const show = (): Record<string, unknown> => (JSON.parse(cluster.cli('--json', 'node', 'show', 'settings').stdout) as { node: Record<string, unknown> }).node;
  assert.equal(show().restart, 'true');
  assert.equal(show().verifyPort, 4222);
  assert.equal(cluster.cli('node', 'edit', 'settings', '--restart', '', '--verify-port', '').code, 0);
  assert.equal(show().restart, undefined);
  assert.equal(show().verifyPort, undefined);
  assert.equal(cluster.cli('node', 'edit', 'settings', '--ssh', 'deploy@127.0.0.1:2200').code, 0);
  assert.deepEqual(show().ssh, { user: 'deploy', host: '127.0.0.1', port: 2200, keyFile: cluster.key });
  assert.equal(cluster.cli('node', 'edit', 'settings', '--ssh-key', '').code, 0);
  assert.deepEqual(show().ssh, { user: 'deploy', host: '127.0.0.1', port: 2200 });
  assert.equal(cluster.cli('node', 'edit', 'settings', '--ssh', '').code, 0);
  assert.equal(show().ssh, undefined);
  const keyless = cluster.cli('node', 'edit', 'settings', '--ssh-key', cluster.key);
  assert.equal(keyless.code, 1);
  assert.match(keyless.stderr, /--ssh-key needs --ssh user@host/);
});

test('a failing restart command fails the node (bundle installed), and the next push runs it again', async () => {
  const flag = join(cluster.dir, 'restart-may-succeed');
  const node = await nodeWithCert('restart', { args: ['--restart', `test -e ${flag} || { echo "service refused to reload" >&2; exit 3; }`] });
  const r = await cluster.cliAsync('push', 'restart', '--accept-new-host-keys');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /restart\s+failed\s+the restart command failed \(exit 3\): service refused to reload; the new bundle is installed/);
  assert.ok(readdirSync(node.dest).includes('node.key'));
  assert.ok(existsSync(join(node.dest, '..', '.tls.cluster-trust', 'pending-restart')));
  writeFileSync(flag, '');
  const again = await cluster.cliAsync('push', 'restart');
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /restart\s+unchanged\s+unchanged; restarted/);
  assert.ok(!existsSync(join(node.dest, '..', '.tls.cluster-trust', 'pending-restart')));
  const third = await cluster.cliAsync('push', 'restart');
  assert.match(third.stdout, /restart\s+unchanged\s+unchanged; no live check/);
});

test('the live check: a plain TLS service passes once it serves the new certificate; a wrong one fails; --no-verify skips', async () => {
  const good = await nodeWithCert('live');
  const port = await tlsServerReading(() => (existsSync(join(good.dest, 'node.crt')) ? good.dest : selfSignedDir()));
  assert.equal(cluster.cli('node', 'edit', 'live', '--verify-port', String(port)).code, 0);
  const r = await cluster.cliAsync('--json', 'push', 'live', '--accept-new-host-keys');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const res = (JSON.parse(r.stdout) as { results: Array<{ verify: { ok: boolean; served: string; chainOk: boolean } }> }).results[0]!;
  assert.deepEqual([res.verify.ok, res.verify.chainOk, res.verify.served], [true, true, currentFingerprint(cluster, 'live')]);

  const bad = await nodeWithCert('impostor');
  const badPort = await tlsServerReading(() => selfSignedDir());
  assert.equal(cluster.cli('node', 'edit', 'impostor', '--verify-port', String(badPort)).code, 0);
  const fail = await cluster.cliAsync('push', 'impostor', '--accept-new-host-keys', '--timeout', '8');
  assert.equal(fail.code, 1);
  assert.match(fail.stdout, /impostor\s+failed\s+installed serial [0-9a-f]+; but the live check failed: serves another certificate \(SHA-256 [0-9a-f]{16}\.\.\., expected [0-9a-f]{16}\.\.\.\)/);
  assert.ok(readdirSync(bad.dest).includes('node.crt'), 'the bundle itself was installed');
  const skipped = await cluster.cliAsync('push', 'impostor', '--no-verify');
  assert.equal(skipped.code, 0);
  assert.match(skipped.stdout, /impostor\s+unchanged\s+unchanged; live check skipped/);
});

test('--trust-ca trusts our CA in the node\'s system store (Debian, update-ca-certificates), once', async () => {
  const hostBundle = sha256File('/etc/ssl/certs/ca-certificates.crt');
  const node = await nodeWithCert('trust', { privateTrustStore: true });
  const caPem = readFileSync(join(cluster.home, 'cas', readdirSync(join(cluster.home, 'cas'))[0]!, 'ca.crt'), 'utf8').trim();
  const body = caPem.split('\n').slice(1, -1).join('\n');
  const compiled = join(node.dir, 'ssl-certs', 'ca-certificates.crt');
  assert.ok(!readFileSync(compiled, 'utf8').includes(body));
  const r = await cluster.cliAsync('push', 'trust', '--accept-new-host-keys', '--trust-ca');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /trust\s+updated\s+installed serial [0-9a-f]+; CA trusted/);
  assert.ok(readFileSync(compiled, 'utf8').includes(body), 'the node\'s compiled bundle now holds our CA');
  assert.ok(readdirSync(join(node.dir, 'local-ca')).some((f) => f.endsWith('.crt') && readFileSync(join(node.dir, 'local-ca', f), 'utf8').includes(body)));
  // OpenSSL on the node (in its namespace) now verifies the pushed leaf with the system store alone.
  const verify = spawnSync('ssh', ['-i', cluster.key, '-p', String(node.sshd.port), '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${join(cluster.home, 'known_hosts')}`, 'root@127.0.0.1', `openssl verify -CAfile /etc/ssl/certs/ca-certificates.crt ${node.dest}/node.crt`], { encoding: 'utf8' });
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /node\.crt: OK/);
  const again = await cluster.cliAsync('push', 'trust', '--trust-ca');
  assert.match(again.stdout, /trust\s+unchanged\s+unchanged; CA already trusted/);
  // The same as a node setting: every push trusts it, no flag needed; --no-trust-ca turns it off.
  assert.equal(cluster.cli('node', 'edit', 'trust', '--trust-ca').code, 0);
  assert.match((await cluster.cliAsync('push', 'trust')).stdout, /trust\s+unchanged\s+unchanged; CA already trusted/);
  assert.equal(cluster.cli('node', 'edit', 'trust', '--no-trust-ca').code, 0);
  assert.doesNotMatch((await cluster.cliAsync('push', 'trust')).stdout, /CA already trusted/);
  const both = cluster.cli('node', 'edit', 'trust', '--trust-ca', '--no-trust-ca');
  assert.equal(both.code, 1);
  assert.match(both.stderr, /give --trust-ca or --no-trust-ca, not both/);
  assert.equal(sha256File('/etc/ssl/certs/ca-certificates.crt'), hostBundle, 'this machine\'s own store is untouched');
});

test('a node that never answers times out; an unreachable one is retried, then fails; cancel stops the rest', async () => {
  // A TCP port that accepts and then says nothing: no SSH banner ever comes.
  const silentPort = await freePort();
  const silent = createNetServer((s) => held.push(s));
  servers.push(silent);
  await new Promise<void>((r) => silent.listen(silentPort, '127.0.0.1', r));
  assert.equal(cluster.cli('node', 'add', 'silent', '--ip', '127.0.0.1', '--ssh', `root@127.0.0.1:${silentPort}`, '--ssh-key', cluster.key).code, 0);
  assert.equal(cluster.cli('issue', 'silent').code, 0);
  const r = await cluster.cliAsync('push', 'silent', '--timeout', '2');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /silent\s+failed\s+timed out/);

  const closedPort = await freePort();
  assert.equal(cluster.cli('node', 'add', 'gone', '--ip', '127.0.0.1', '--ssh', `root@127.0.0.1:${closedPort}`, '--ssh-key', cluster.key).code, 0);
  assert.equal(cluster.cli('issue', 'gone').code, 0);
  const opts = { hostKeyFiles: cluster.hostKeyFiles(), auth: { agent: null, defaultIdentities: [] } };
  const [gone] = await pushBundles(cluster.ctx(), ['gone'], { ...opts, retries: 2 });
  assert.equal(gone!.status, 'failed');
  assert.equal(gone!.attempts, 3, 'connection errors are retried');
  assert.match(gone!.message, /cannot connect to root@\[127\.0\.0\.1\]:\d+: ECONNREFUSED/);
  assert.equal(gone!.error?.code, 'unreachable');
  const [slow] = await pushBundles(cluster.ctx(), ['silent'], { ...opts, timeoutMs: 2000 });
  assert.deepEqual([slow!.status, slow!.error?.code], ['failed', 'timeout'], slow!.message);

  // Cancel while the first node hangs on the silent port: it and the queued one are cancelled.
  const ctl = new AbortController();
  const results = await pushBundles(cluster.ctx(), ['silent', 'gone'], { ...opts, concurrency: 1, signal: ctl.signal }, (e) => {
    if (e.node === 'silent' && e.phase === 'connecting') setTimeout(() => ctl.abort(), 200);
  });
  assert.deepEqual(results.map((x) => x.status), ['cancelled', 'cancelled']);
  assert.match(results[0]!.message, /^cancelled while connecting/);
  assert.equal(results[1]!.message, 'cancelled before it started');
});
