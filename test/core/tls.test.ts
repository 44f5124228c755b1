// A real Node TLS server presenting a node certificate, reached by clients that trust only our
// ca.crt: by DNS name, by IPv4 and by IPv6; a name that is not in the SANs is refused.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { cleanup } from '../helpers/cli.ts';
import { bundle, caCertFile, ok, withCa, type Workspace } from './helpers.ts';

let ws: Workspace;
let other: Workspace;
let server: Server;
let port: number;
let ca: Buffer;
let otherCa: Buffer;

/** Resolves to the server's leaf fingerprint when the handshake (with verification) succeeds. */
function reach(opts: { host: string; servername?: string; ca: Buffer }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: opts.host, port, ca: opts.ca, ...(opts.servername ? { servername: opts.servername } : {}) }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.once('error', reject);
  });
}

before(async () => {
  ws = withCa('ecdsa-p256');
  other = withCa('ecdsa-p256', 'Another CA');
  ok(ws.cli('--json', 'node', 'add', 'web-1', '--dns', 'web-1.cluster.test', '--ip', '127.0.0.1', '--ip', '::1'));
  ok(ws.cli('--json', 'issue', 'web-1'));
  const dir = bundle(ws, 'web-1');
  ca = readFileSync(join(dir, 'ca.crt'));
  otherCa = readFileSync(caCertFile(other));
  server = createServer({ cert: readFileSync(join(dir, 'node.crt')), key: readFileSync(join(dir, 'node.key')) }, (s) => s.end('hello\n'));
  await new Promise<void>((r) => server.listen(0, '::', () => r()));
  port = (server.address() as AddressInfo).port;
});

after(() => {
  server?.close();
  cleanup(ws.dir, other.dir);
});

test('by DNS name (SNI + hostname check) with only ca.crt trusted', async () => {
  const fp = await reach({ host: '127.0.0.1', servername: 'web-1.cluster.test', ca });
  const inspected = ok<Array<{ sha256: string }>>(ws.cli('--json', 'inspect', join(bundle(ws, 'web-1'), 'node.crt')));
  assert.equal(fp.replace(/:/g, '').toLowerCase(), inspected[0]!.sha256);
});

test('by IPv4 address', async () => {
  await reach({ host: '127.0.0.1', ca });
});

test('by IPv6 address', async () => {
  await reach({ host: '::1', ca });
});

test('a name not in the SANs is refused', async () => {
  await assert.rejects(reach({ host: '127.0.0.1', servername: 'web-2.cluster.test', ca }), /ERR_TLS_CERT_ALTNAME_INVALID|does not match|not in the cert's altnames/i);
  await assert.rejects(reach({ host: '127.0.0.1', servername: 'localhost', ca }), /altnames/i);
});

test('a client that trusts another CA refuses the server', async () => {
  await assert.rejects(reach({ host: '127.0.0.1', servername: 'web-1.cluster.test', ca: otherCa }), /unable to verify|self[- ]signed|UNABLE_TO_VERIFY_LEAF_SIGNATURE/i);
});
