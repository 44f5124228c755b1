/**
 * Real TLS peers started for a test, shared by the name-constraint and two-tier verifier tests:
 * nats-server with --tlsverify, and nginx serving one certificate pair per port.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { freePort, waitForPort } from './ports.ts';
import { startDaemon } from '../profiles/helpers.ts';

export interface CertPair {
  cert: string;
  key: string;
}

type Daemon = ReturnType<typeof startDaemon>;

/** nats-server requiring client certificates signed under `caFile`, serving `pair`. */
export async function startNatsTlsVerify(pair: CertPair, caFile: string): Promise<{ server: Daemon; connectAs: (client: CertPair) => Promise<NatsConnection> }> {
  const port = await freePort();
  const server = startDaemon('nats-server', ['-a', '127.0.0.1', '-p', String(port), '--tlsverify', '--tlscert', pair.cert, '--tlskey', pair.key, '--tlscacert', caFile]);
  await waitForPort(port);
  const connectAs = (client: CertPair) => connect({
    servers: `tls://127.0.0.1:${port}`,
    tls: { ca: readFileSync(caFile, 'utf8'), cert: readFileSync(client.cert, 'utf8'), key: readFileSync(client.key, 'utf8') },
    reconnect: false,
    maxReconnectAttempts: 0,
    timeout: 10_000,
  });
  return { server, connectAs };
}

/** The daemon's output once it matches `pattern`, or what it printed by the deadline. */
export async function outputOnceMatching(daemon: Daemon, pattern: RegExp, ms = 5000): Promise<string> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !pattern.test(daemon.output())) await new Promise((r) => setTimeout(r, 50));
  return daemon.output();
}

/** nginx (in its own prefix folder) answering "nginx ok" over TLS, one server block per pair; returns the ports in order. */
export async function startNginxServing<T extends CertPair[]>(prefix: string, pairs: [...T]): Promise<{ nginx: Daemon; ports: { [K in keyof T]: number } }> {
  mkdirSync(prefix, { recursive: true });
  const ports: number[] = [];
  for (const _ of pairs) ports.push(await freePort());
  const block = (port: number, pair: CertPair) => `    server { listen 127.0.0.1:${port} ssl; ssl_certificate ${pair.cert}; ssl_certificate_key ${pair.key}; location / { return 200 "nginx ok\\n"; } }`;
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, [
    'daemon off;', `pid ${prefix}/nginx.pid;`, `error_log ${prefix}/error.log;`, 'events { worker_connections 16; }',
    'http {', '    access_log off;', `    client_body_temp_path ${prefix}/body;`, ...pairs.map((p, i) => block(ports[i]!, p)), '}', '',
  ].join('\n'));
  const nginx = startDaemon('nginx', ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', conf]);
  for (const port of ports) await waitForPort(port);
  return { nginx, ports: ports as { [K in keyof T]: number } };
}
