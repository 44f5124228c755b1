import type { NodeRecord } from '../vault/schema.ts';
import type { Profile } from './types.ts';
import { boolOption, intOption, ipOption, portOption } from './options.ts';
import { tlsPaths } from './paths.ts';
import { headerLines, textFile } from './files.ts';

export const NATS_PORT = 4222;

function settings(node: NodeRecord) {
  return {
    host: ipOption(node, 'host'),
    port: portOption(node, 'port', NATS_PORT),
    verify: boolOption(node, 'verify', true),
    timeout: intOption(node, 'tls_timeout', 2, 1, 60),
  };
}

/** The port clients dial on this server. */
export function natsServerPort(node: NodeRecord): number {
  return settings(node).port;
}

/** The `tls { }` block: our cert and key, our CA for client certificates, and mutual TLS unless turned off. */
function tlsBlock(installDir: string, verify: boolean, timeout: number): string[] {
  const tls = tlsPaths(installDir);
  return [
    'tls {',
    `  cert_file: "${tls.cert}"`,
    `  key_file: "${tls.key}"`,
    `  ca_file: "${tls.ca}"`,
    `  verify: ${verify}`,
    `  timeout: ${timeout}`,
    '}',
  ];
}

export const natsServer: Profile = {
  id: 'nats-server',
  title: 'NATS server (TLS, client certificates verified)',
  server: true,
  client: false,
  loopback: false,
  defaultDest: '/etc/nats',
  verifyPort: NATS_PORT,
  verifyPortFor: (node) => settings(node).port,
  options: [
    { key: 'port', help: 'client port', default: String(NATS_PORT) },
    { key: 'host', help: 'listen address (default: all interfaces)' },
    { key: 'verify', help: 'require client certificates signed by the CA', default: 'true' },
    { key: 'tls_timeout', help: 'TLS handshake timeout in seconds', default: '2' },
  ],
  checkOptions: (node) => void settings(node),
  files(ctx) {
    const s = settings(ctx.node);
    const block = tlsBlock(ctx.installDir, s.verify, s.timeout);
    return [
      textFile('nats-server.conf', [
        ...headerLines(ctx, 'NATS server with TLS (nats-server -c nats-server.conf)'),
        ...(s.host ? [`host: "${s.host}"`] : []),
        `port: ${s.port}`,
        '',
        ...block,
      ], 'a complete minimal nats-server config with the TLS block'),
      textFile('nats-tls.conf', [...headerLines(ctx, 'the TLS block alone, to paste into an existing nats-server config'), ...block],
        'the tls { } block alone'),
    ];
  },
};
