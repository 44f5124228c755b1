import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, StringCodec } from 'nats';
import { cleanup, sh, snapshot } from '../helpers/cli.ts';
import { freePort, waitForPort } from '../helpers/ports.ts';
import { configFile, nodeConfig, ok, read, readEnv, refused, startDaemon, workspaceWithCa } from './helpers.ts';

test('a real nats-server runs the generated TLS block; the nats-client bundle connects, clients without our certificate are refused', async (t) => {
  const w = workspaceWithCa();
  t.after(() => cleanup(w.dir));
  const port = await freePort();
  const serverDir = join(w.dir, 'nats-server');
  const clientDir = join(w.dir, 'nats-client');

  // A client cannot be configured before there is a server to name.
  ok(w.cli('node', 'add', 'app', '--profile', 'nats-client', '--ip', '127.0.0.1', '--dest', clientDir));
  refused(w.cli('node', 'config', 'app'), /nats-client node "app" needs a nats-server node in the inventory/);

  ok(w.cli('node', 'add', 'natsd', '--profile', 'nats-server', '--ip', '127.0.0.1', '--dest', serverDir, '--set', 'host=127.0.0.1', '--set', `port=${port}`));
  ok(w.cli('issue', '--all'));
  ok(w.cli('bundle', 'natsd', '--out', serverDir));
  ok(w.cli('bundle', 'app', '--out', clientDir));

  // `node config` prints exactly what the bundle carries.
  const conf = read(serverDir, 'nats-server.conf');
  assert.equal(configFile(nodeConfig(w, 'natsd'), 'nats-server.conf'), conf);
  assert.match(conf, new RegExp(`^port: ${port}$`, 'm'));
  assert.match(conf, /tls \{\n {2}cert_file: "[^"]+\/node\.crt"\n {2}key_file: "[^"]+\/node\.key"\n {2}ca_file: "[^"]+\/ca\.crt"\n {2}verify: true\n {2}timeout: 2\n\}/);
  assert.equal(nodeConfig(w, 'natsd').verifyPort, port);

  const server = startDaemon('nats-server', ['-c', join(serverDir, 'nats-server.conf')]);
  t.after(() => server.stop());
  await waitForPort(port);

  const env = readEnv(join(clientDir, 'nats-client.env'));
  assert.equal(env.NATS_URL, `tls://127.0.0.1:${port}`);
  assert.deepEqual([env.NATS_CA, env.NATS_CERT, env.NATS_KEY], ['ca.crt', 'node.crt', 'node.key'].map((f) => join(clientDir, f)));

  // nats.js leaves the TLS server name empty for an IP URL, and Node would then check "localhost":
  // name the IP the URL dials, so the server's IP SAN is what gets verified.
  const tlsTo = (files: { caFile: string; certFile?: string; keyFile?: string }) => ({ ...files, host: '127.0.0.1' }) as { caFile: string };
  const nc = await connect({ servers: env.NATS_URL, tls: tlsTo({ caFile: env.NATS_CA!, certFile: env.NATS_CERT!, keyFile: env.NATS_KEY! }), reconnect: false, timeout: 20_000 });
  const sc = StringCodec();
  const sub = nc.subscribe('cluster.trust');
  nc.publish('cluster.trust', sc.encode('hello over mutual TLS'));
  for await (const m of sub) {
    assert.equal(sc.decode(m.data), 'hello over mutual TLS');
    break;
  }
  await nc.close();

  // Our CA but no client certificate: refused by verify: true.
  await assert.rejects(connect({ servers: env.NATS_URL, tls: tlsTo({ caFile: env.NATS_CA! }), reconnect: false, timeout: 20_000 }));
  // A certificate from another CA: refused too.
  sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=rogue', '-days', '1',
    '-addext', 'extendedKeyUsage=clientAuth', '-keyout', join(w.dir, 'rogue.key'), '-out', join(w.dir, 'rogue.crt')]);
  await assert.rejects(connect({ servers: env.NATS_URL, tls: tlsTo({ caFile: env.NATS_CA!, certFile: join(w.dir, 'rogue.crt'), keyFile: join(w.dir, 'rogue.key') }), reconnect: false, timeout: 20_000 }));
  // And the server is still serving our own client afterwards.
  const again = await connect({ servers: env.NATS_URL, tls: tlsTo({ caFile: env.NATS_CA!, certFile: env.NATS_CERT!, keyFile: env.NATS_KEY! }), reconnect: false, timeout: 20_000 });
  await again.close();
  assert.ok(readFileSync(join(clientDir, 'nats-client.txt'), 'utf8').includes(`--tlscert ${env.NATS_CERT}`));
});

test('nats-server options are validated with one clear line and change nothing', (t) => {
  const w = workspaceWithCa();
  t.after(() => cleanup(w.dir));
  // Bad values are refused when typed, with one clear line, and the vault is left as it was.
  refused(w.cli('node', 'add', 'natsd', '--profile', 'nats-server', '--ip', '127.0.0.1', '--set', 'port=70000'), /node "natsd" \(profile nats-server\): option port must be a TCP port from 1 to 65535 \(got "70000"\)/);
  ok(w.cli('node', 'add', 'natsd', '--profile', 'nats-server', '--ip', '127.0.0.1', '--set', 'port=4222'));
  const before = snapshot(w.home);
  refused(w.cli('node', 'edit', 'natsd', '--set', 'verify=maybe'), /option verify must be true or false/);
  refused(w.cli('node', 'edit', 'natsd', '--set', 'prot=4223'), /unknown option "prot" \(known: port, host, verify, tls_timeout, cluster_port, cluster_name\)/);
  assert.deepEqual(snapshot(w.home), before);
  assert.match(configFile(nodeConfig(w, 'natsd'), 'nats-server.conf'), /^port: 4222$/m);
});
