import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../helpers/cli.ts';
import { createCluster, type Cluster, type TestNode } from '../ssh/fixture.ts';

// `renew --push` against real sshd nodes running a real nats-server (the SSH push's own test fixture).
let cluster: Cluster;
let node: TestNode;

before(async () => {
  cluster = await createCluster();
  node = await cluster.addNode('pushed', { nats: true });
  for (const args of [['issue', '--all'], ['push', '--all', '--accept-new-host-keys']]) {
    const r = cluster.cli(...args);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  }
});
after(() => cluster?.close());

const servedSerial = () => sh('openssl', ['x509', '-in', join(node.dest, 'node.crt'), '-noout', '-serial']).trim().split('=')[1]!.toLowerCase().replace(/^0+/, '');

test('renew --due --push renews, pushes, and reports the verified result per node', () => {
  const before = servedSerial();
  const r = cluster.cli('renew', '--due', '--within', '400', '--push', '--json');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const out = JSON.parse(r.stdout) as { renewed: Array<{ node: string; serial: string }>; pushed: Array<{ node: string; ok: boolean; status: string; detail: string }> };
  assert.equal(out.renewed.length, 1);
  assert.equal(out.pushed[0]!.node, 'pushed');
  assert.equal(out.pushed[0]!.ok, true, out.pushed[0]!.detail);
  assert.match(out.pushed[0]!.detail, /live check OK/);
  const served = servedSerial();
  assert.notEqual(served, before);
  assert.equal(served, out.renewed[0]!.serial.replace(/^0+/, ''), 'the node now holds the renewed certificate');
  const log = JSON.parse(cluster.cli('log', '--json', '--node', 'pushed').stdout) as Array<{ action: string; outcome: string }>;
  assert.deepEqual(log.filter((e) => e.action === 'renew' || e.action === 'push').map((e) => `${e.action}:${e.outcome}`).slice(-2), ['renew:ok', 'push:ok']);
  assert.doesNotMatch(readFileSync(join(cluster.home, 'audit.jsonl'), 'utf8'), /PRIVATE KEY/);
});
