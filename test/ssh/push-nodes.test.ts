import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect as natsConnect } from 'nats';
import { snapshot } from '../helpers/cli.ts';
import { pushBundles, type PushEvent } from '../../src-main/ssh/index.ts';
import { createCluster, currentFingerprint, natsPid, type Cluster, type TestNode } from './fixture.ts';

// Five real sshd nodes, each running a real nats-server with TLS from its pushed bundle.
let cluster: Cluster;
let nodes: TestNode[];
const NAMES = ['n1', 'n2', 'n3', 'n4', 'n5'];

before(async () => {
  cluster = await createCluster();
  nodes = [];
  for (const name of NAMES) nodes.push(await cluster.addNode(name, { nats: true }));
  const r = cluster.cli('issue', '--all');
  assert.equal(r.code, 0, r.stderr);
});

after(() => cluster?.close());

async function natsServesOurCa(node: TestNode): Promise<void> {
  // An independent client: the nats library checks the chain (and the 127.0.0.1 SAN) itself.
  const nc = await natsConnect({ servers: `tls://127.0.0.1:${node.natsPort}`, tls: { ca: readFileSync(join(node.dest, 'ca.crt'), 'utf8') }, reconnect: false, timeout: 10_000 });
  await nc.close();
}

function versionsOf(node: TestNode): string[] {
  return readdirSync(join(node.dest, '..', '.tls.cluster-trust')).filter((n) => n.startsWith('v-')).sort();
}

test('pushes 5 nodes in parallel: files, modes, contents, and each nats-server serves the new certificate', async () => {
  const r = await cluster.cliAsync('push', '--all', '--accept-new-host-keys', '--concurrency', '5');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /5 nodes: 5 updated, 0 failed/);
  for (const node of nodes) {
    assert.match(r.stdout, new RegExp(`${node.name}\\s+updated\\s+installed serial [0-9a-f]+; restarted; live check OK on port ${node.natsPort}`));
    // The destination is a symlink to a complete version folder.
    assert.ok(lstatSync(node.dest).isSymbolicLink());
    assert.match(readlinkSync(node.dest), /^\.tls\.cluster-trust\/v-/);
    const files = readdirSync(node.dest).sort();
    for (const f of ['.cluster-trust.json', 'README.txt', 'ca.crt', 'node.crt', 'node.key']) assert.ok(files.includes(f), `${node.name} lacks ${f}`);
    assert.equal(statSync(join(node.dest, 'node.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(node.dest, 'node.crt')).mode & 0o777, 0o644);
    assert.equal(statSync(join(node.dest, 'ca.crt')).mode & 0o777, 0o644);
    // Contents: byte for byte what `bundle` writes for that node.
    const out = join(cluster.dir, `bundle-${node.name}`);
    const b = cluster.cli('bundle', node.name, '--out', out);
    assert.equal(b.code, 0, b.stderr);
    for (const f of readdirSync(out)) assert.deepEqual(readFileSync(join(node.dest, f)), readFileSync(join(out, f)), `${node.name}/${f} differs`);
    await natsServesOurCa(node);
  }
  // The vault recorded each node's host key (accept-new).
  const known = readFileSync(join(cluster.home, 'known_hosts'), 'utf8');
  for (const node of nodes) assert.ok(known.includes(`[127.0.0.1]:${node.sshd.port} ssh-ed25519 `), `host key of ${node.name} not recorded`);
});

test('pushing the same bundles again changes nothing and says unchanged', async () => {
  const before = nodes.map((n) => ({ files: snapshot(join(n.dest, '..')), link: readlinkSync(n.dest), nats: natsPid(n) }));
  const r = await cluster.cliAsync('push', '--all');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /5 nodes: 5 unchanged, 0 failed/);
  nodes.forEach((n, i) => {
    assert.match(r.stdout, new RegExp(`${n.name}\\s+unchanged\\s+unchanged; live check OK`));
    assert.deepEqual(snapshot(join(n.dest, '..')), before[i]!.files);
    assert.equal(readlinkSync(n.dest), before[i]!.link);
    // Not restarted: the same nats-server process still runs.
    assert.equal(natsPid(n), before[i]!.nats);
  });
});

test('a dry run lists what would change and changes nothing', async () => {
  const r0 = cluster.cli('issue', '--all');
  assert.equal(r0.code, 0, r0.stderr);
  const before = nodes.map((n) => snapshot(join(n.dest, '..')));
  const r = await cluster.cliAsync('push', '--all', '--dry-run');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /5 nodes: 5 would update, 0 failed/);
  for (const n of nodes) assert.match(r.stdout, new RegExp(`${n.name}\\s+would-update\\s+would change: update node\\.crt, update node\\.key, update README\\.txt`));
  nodes.forEach((n, i) => assert.deepEqual(snapshot(join(n.dest, '..')), before[i]));
  const json = await cluster.cliAsync('--json', 'push', 'n1', '--dry-run');
  const parsed = JSON.parse(json.stdout) as { results: Array<{ status: string; changes: Array<{ path: string; change: string }> }> };
  assert.equal(parsed.results[0]!.status, 'would-update');
  assert.deepEqual(parsed.results[0]!.changes.map((c) => `${c.change} ${c.path}`).sort(), ['update README.txt', 'update node.crt', 'update node.key']);
});

test('a node that goes away in the middle of the upload keeps its old bundle; the others get the new one', async () => {
  const victim = nodes[2]!;
  const oldFiles = snapshot(victim.dest);
  const oldLink = readlinkSync(victim.dest);
  const oldVersions = versionsOf(victim);
  let killed = false;
  const events: PushEvent[] = [];
  const results = await pushBundles(
    cluster.ctx(),
    'all',
    { concurrency: 5, hostKeyFiles: cluster.hostKeyFiles(), auth: { agent: null, defaultIdentities: [] } },
    (e) => {
      events.push(e);
      if (e.node === victim.name && e.phase === 'uploading' && !killed) {
        killed = true;
        victim.sshd.kill();
      }
    },
  );
  assert.ok(killed, 'the victim never reached the upload');
  const byName = new Map(results.map((r) => [r.node, r]));
  const v = byName.get(victim.name)!;
  assert.equal(v.status, 'failed');
  assert.match(v.message, /connection was lost while uploading; the node keeps its previous bundle/);
  assert.equal(v.attempts, 1, 'a lost session is not retried');
  // Old bundle intact: same link, same bytes, no new version folder (the partial upload is only in a tmp- folder).
  assert.equal(readlinkSync(victim.dest), oldLink);
  assert.deepEqual(snapshot(victim.dest), oldFiles);
  assert.deepEqual(versionsOf(victim), oldVersions);
  for (const n of nodes) {
    if (n === victim) continue;
    const r = byName.get(n.name)!;
    assert.equal(r.status, 'updated', `${n.name}: ${r.message}`);
    assert.ok(r.verify?.ok);
    assert.equal(r.verify?.served, currentFingerprint(cluster, n.name));
    // The previous bundle is kept for rollback.
    assert.ok(r.backup && statSync(r.backup).isDirectory());
  }
  // The victim's nats-server still serves its old certificate (it was never restarted).
  assert.notEqual(readFileSync(join(victim.dest, 'node.crt'), 'utf8'), readFileSync(join(nodes[0]!.dest, 'node.crt'), 'utf8'));
  // Progress events came through the callback, per node, in order.
  const phases = events.filter((e) => e.node === 'n1').map((e) => e.phase);
  assert.deepEqual(phases.filter((p, i) => phases.indexOf(p) === i), ['queued', 'connecting', 'comparing', 'uploading', 'installing', 'restarting', 'verifying', 'done']);
  // Back up: the next push brings the victim up to date too.
  await victim.sshd.restart();
  const again = await cluster.cliAsync('push', victim.name);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /1 node: 1 updated, 0 failed/);
});
