// Three real nats-server processes run the generated configs and form a cluster over mutually
// verified TLS routes; a fourth server with a certificate from another CA cannot join.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connect, StringCodec } from 'nats';
import { cleanup, sh } from '../helpers/cli.ts';
import { freePort, waitForPort } from '../helpers/ports.ts';
import { configFile, nodeConfig, ok, read, startDaemon, workspaceWithCa, type Workspace } from './helpers.ts';

interface Ports { client: number; cluster: number; monitor: number }

async function ports(): Promise<Ports> {
  return { client: await freePort(), cluster: await freePort(), monitor: await freePort() };
}

function addServer(w: Workspace, name: string, p: Ports): string {
  const dir = join(w.dir, name);
  ok(w.cli('node', 'add', name, '--profile', 'nats-server', '--ip', '127.0.0.1', '--dest', dir,
    '--set', 'host=127.0.0.1', '--set', `port=${p.client}`, '--set', `cluster_port=${p.cluster}`));
  return dir;
}

/** The number of routes a server's monitoring endpoint reports. */
async function routeCount(monitor: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${monitor}/routez`);
  return ((await res.json()) as { num_routes: number }).num_routes;
}

async function waitForRoutes(monitor: number, want: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  while (Date.now() < deadline) {
    seen = await routeCount(monitor).catch(() => -1);
    if (seen === want) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`the server monitored on ${monitor} has ${seen} routes, expected ${want}`);
}

test('three nats-server nodes form a cluster over verified TLS routes; a server from another CA is refused', async (t) => {
  const w = workspaceWithCa();
  t.after(() => cleanup(w.dir));
  const names = ['nats1', 'nats2', 'nats3'];
  const p: Ports[] = [];
  for (const _ of names) p.push(await ports());
  const dirs = names.map((n, i) => addServer(w, n, p[i]!));
  ok(w.cli('issue', '--all'));
  names.forEach((n, i) => ok(w.cli('bundle', n, '--out', dirs[i]!)));

  // Each config routes to the two others at their address and cluster port, with verify on.
  const conf = read(dirs[0]!, 'nats-server.conf');
  assert.equal(configFile(nodeConfig(w, 'nats1'), 'nats-server.conf'), conf);
  assert.match(conf, new RegExp(`cluster \\{\\n {2}name: "cluster-trust"\\n {2}host: "127\\.0\\.0\\.1"\\n {2}port: ${p[0]!.cluster}\\n`));
  assert.match(conf, new RegExp(`routes: \\[\\n {4}"nats-route://127\\.0\\.0\\.1:${p[1]!.cluster}"\\n {4}"nats-route://127\\.0\\.0\\.1:${p[2]!.cluster}"\\n {2}\\]`));
  assert.match(conf, / {2}tls \{\n(?: {4}.*\n){3} {4}verify: true\n/);
  assert.equal(configFile(nodeConfig(w, 'nats2'), 'nats-cluster.conf').includes(`nats-route://127.0.0.1:${p[0]!.cluster}`), true);
  // A route dials with the server's own certificate, so it carries clientAuth as well as serverAuth.
  const eku = sh('openssl', ['x509', '-in', join(dirs[0]!, 'node.crt'), '-noout', '-ext', 'extendedKeyUsage']);
  assert.match(eku, /TLS Web Server Authentication, TLS Web Client Authentication/);

  const servers = dirs.map((d, i) => startDaemon('nats-server', ['-c', join(d, 'nats-server.conf'), '-m', String(p[i]!.monitor)]));
  t.after(() => Promise.all(servers.map((s) => s.stop())));
  for (const x of p) await waitForPort(x.client);
  for (const [i, x] of p.entries()) {
    await waitForRoutes(x.monitor, 2).catch((e: Error) => assert.fail(`${e.message}\n${servers[i]!.output()}`));
  }

  // A message published on nats1 reaches a subscriber on nats3 through the routes.
  const tlsTo = (dir: string) => ({ caFile: join(dir, 'ca.crt'), certFile: join(dir, 'node.crt'), keyFile: join(dir, 'node.key'), host: '127.0.0.1' }) as { caFile: string };
  const sub3 = await connect({ servers: `tls://127.0.0.1:${p[2]!.client}`, tls: tlsTo(dirs[2]!), reconnect: false, timeout: 20_000 });
  const pub1 = await connect({ servers: `tls://127.0.0.1:${p[0]!.client}`, tls: tlsTo(dirs[0]!), reconnect: false, timeout: 20_000 });
  t.after(async () => { await sub3.close(); await pub1.close(); });
  const sc = StringCodec();
  const sub = sub3.subscribe('cluster.trust.routes', { max: 1 });
  await sub3.flush();
  // Interest travels over the route asynchronously: publish until it arrives.
  const got = (async () => { for await (const m of sub) return sc.decode(m.data); return ''; })();
  const timer = setInterval(() => pub1.publish('cluster.trust.routes', sc.encode('across the cluster')), 100);
  try {
    assert.equal(await Promise.race([got, new Promise<string>((_, rej) => setTimeout(() => rej(new Error('no message crossed the route')), 15_000))]), 'across the cluster');
  } finally {
    clearInterval(timer);
  }

  // A server from another CA, configured to route to nats1: its TLS route is refused on both sides.
  const rogue = workspaceWithCa();
  t.after(() => cleanup(rogue.dir));
  const rp = await ports();
  const rogueDir = addServer(rogue, 'rogue', rp);
  ok(rogue.cli('node', 'add', 'nats1', '--profile', 'nats-server', '--ip', '127.0.0.1', '--set', `cluster_port=${p[0]!.cluster}`));
  ok(rogue.cli('issue', 'rogue'));
  ok(rogue.cli('bundle', 'rogue', '--out', rogueDir));
  assert.match(read(rogueDir, 'nats-server.conf'), new RegExp(`"nats-route://127\\.0\\.0\\.1:${p[0]!.cluster}"`));
  const intruder = startDaemon('nats-server', ['-c', join(rogueDir, 'nats-server.conf'), '-m', String(rp.monitor)]);
  t.after(() => intruder.stop());
  await waitForPort(rp.client);
  // Let it try several times (routes retry every second), then check nobody gained a route.
  const deadline = Date.now() + 20_000;
  while (!/TLS route handshake error|certificate/i.test(servers[0]!.output() + intruder.output()) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 2500));
  assert.match(servers[0]!.output() + intruder.output(), /TLS route handshake error|certificate/i);
  assert.equal(await routeCount(rp.monitor), 0, intruder.output());
  for (const x of p) assert.equal(await routeCount(x.monitor), 2);
});
