// A node bundle configures a real nats-server that verifies client certificates; a client with a
// certificate from our CA connects, one from another CA, an expired one, or none is refused.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'nats';
import { cleanup, CLI, sh, shResult } from '../helpers/cli.ts';
import { freePort, waitForPort } from '../helpers/ports.ts';
import { bundle, ok, opensslVerify, withCa, type Workspace } from './helpers.ts';

interface ClientFiles {
  cert: string;
  key: string;
}

let ws: Workspace;
let foreign: Workspace;
let serverBundle: string;
let good: ClientFiles;
let fromOtherCa: ClientFiles;
let expired: ClientFiles;

function clientFiles(w: Workspace, node: string): ClientFiles {
  const dir = bundle(w, node);
  return { cert: readFileSync(join(dir, 'node.crt'), 'utf8'), key: readFileSync(join(dir, 'node.key'), 'utf8') };
}

before(() => {
  ws = withCa('ecdsa-p256', 'NATS CA');
  foreign = withCa('ecdsa-p256', 'Foreign CA');
  ok(ws.cli('--json', 'node', 'add', 'nats-1', '--dns', 'localhost', '--ip', '127.0.0.1', '--server'));
  ok(ws.cli('--json', 'node', 'add', 'worker-1', '--dns', 'worker-1.cluster.test', '--client'));
  ok(ws.cli('--json', 'node', 'add', 'worker-old', '--dns', 'worker-old.cluster.test', '--client'));
  ok(ws.cli('--json', 'issue', 'nats-1', 'worker-1'));
  // Issued 400 days ago for one day: a certificate of our own CA that has expired.
  sh('faketime', ['-f', '-400d', process.execPath, CLI, '--home', ws.home, '--passphrase-file', ws.pass, 'issue', 'worker-old', '--days', '1']);
  ok(foreign.cli('--json', 'node', 'add', 'worker-1', '--dns', 'worker-1.cluster.test', '--client'));
  ok(foreign.cli('--json', 'issue', 'worker-1'));
  serverBundle = bundle(ws, 'nats-1');
  good = clientFiles(ws, 'worker-1');
  expired = clientFiles(ws, 'worker-old');
  fromOtherCa = clientFiles(foreign, 'worker-1');
});

after(() => cleanup(ws.dir, foreign.dir));

/** nats-server with the bundle's files and client verification, configured one of two ways. */
async function startServer(mode: 'config' | 'flags'): Promise<{ port: number; proc: ChildProcess; log: () => string }> {
  const port = await freePort();
  const files = { cert: join(serverBundle, 'node.crt'), key: join(serverBundle, 'node.key'), ca: join(serverBundle, 'ca.crt') };
  let args: string[];
  if (mode === 'config') {
    const conf = join(ws.dir, `nats-${port}.conf`);
    writeFileSync(conf, [
      `listen: 127.0.0.1:${port}`,
      'tls {',
      `  cert_file: ${JSON.stringify(files.cert)}`,
      `  key_file: ${JSON.stringify(files.key)}`,
      `  ca_file: ${JSON.stringify(files.ca)}`,
      '  verify: true',
      '}',
      '',
    ].join('\n'));
    args = ['-c', conf];
  } else {
    args = ['-a', '127.0.0.1', '-p', String(port), '--tlsverify', '--tlscert', files.cert, '--tlskey', files.key, '--tlscacert', files.ca];
  }
  const proc = spawn('nats-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout!.on('data', (d) => (log += d));
  proc.stderr!.on('data', (d) => (log += d));
  await waitForPort(port);
  return { port, proc, log: () => log };
}

function options(port: number, client?: ClientFiles): ConnectionOptions {
  return {
    servers: `tls://127.0.0.1:${port}`,
    tls: { ca: readFileSync(join(serverBundle, 'ca.crt'), 'utf8'), ...(client ? { cert: client.cert, key: client.key } : {}) },
    reconnect: false,
    maxReconnectAttempts: 0,
    timeout: 10_000,
  };
}

test('the expired client certificate really is one of ours, and only its dates are wrong', () => {
  const file = join(ws.dir, 'expired.crt');
  writeFileSync(file, expired.cert);
  const caFile = join(serverBundle, 'ca.crt');
  const r = shResult('openssl', ['verify', '-CAfile', caFile, file]);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /certificate has expired/);
  assert.match(sh('openssl', ['verify', '-no_check_time', '-CAfile', caFile, file]), /: OK$/m);
  opensslVerify(caFile, join(bundle(ws, 'worker-1'), 'node.crt'), 'sslclient');
});

for (const mode of ['config', 'flags'] as const) {
  test(`nats-server (${mode === 'config' ? 'tls { verify: true } in its config' : '--tlsverify on its command line'}): only a current client certificate from our CA gets in`, async () => {
    const server = await startServer(mode);
    try {
      const nc = await connect(options(server.port, good));
      const sub = nc.subscribe('cluster.ping', { max: 1 });
      nc.publish('cluster.ping', new TextEncoder().encode('hello'));
      for await (const m of sub) assert.equal(new TextDecoder().decode(m.data), 'hello');
      await nc.close();

      await assert.rejects(connect(options(server.port, fromOtherCa)), 'a certificate from another CA is refused');
      await assert.rejects(connect(options(server.port, expired)), 'an expired certificate is refused');
      await assert.rejects(connect(options(server.port)), 'no client certificate is refused');
      // The server says why, so the refusals above are TLS verification and nothing else.
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && !/didn't provide a certificate/.test(server.log())) await new Promise((r) => setTimeout(r, 50));
      const log = server.log();
      assert.match(log, /certificate signed by unknown authority/);
      assert.match(log, /certificate has expired or is not yet valid/);
      assert.match(log, /didn't provide a certificate/);
    } finally {
      server.proc.kill('SIGTERM');
    }
  });
}
