import type { Inventory, NodeRecord } from '../vault/schema.ts';
import type { Profile } from './types.ts';
import { boolOption, intOption, ipOption, portOption, wordOption } from './options.ts';
import { tlsPaths, urlHost } from './paths.ts';
import { headerLines, textFile } from './files.ts';
import { nodesWithProfile, reachableAddress } from './peers.ts';
import { UserError } from '../errors.ts';

export const NATS_PORT = 4222;
export const NATS_CLUSTER_PORT = 6222;

function settings(node: NodeRecord) {
  return {
    host: ipOption(node, 'host'),
    port: portOption(node, 'port', NATS_PORT),
    verify: boolOption(node, 'verify', true),
    timeout: intOption(node, 'tls_timeout', 2, 1, 60),
    clusterPort: portOption(node, 'cluster_port', NATS_CLUSTER_PORT),
    clusterName: wordOption(node, 'cluster_name', 'cluster-trust'),
  };
}

/** The port clients dial on this server. */
export function natsServerPort(node: NodeRecord): number {
  return settings(node).port;
}

/** The `tls { }` block: our cert and key, our CA for the other side's certificate, and whether to demand one. */
function tlsBlock(installDir: string, verify: boolean, timeout: number, indent = ''): string[] {
  const tls = tlsPaths(installDir);
  return [
    'tls {',
    `  cert_file: "${tls.cert}"`,
    `  key_file: "${tls.key}"`,
    `  ca_file: "${tls.ca}"`,
    `  verify: ${verify}`,
    `  timeout: ${timeout}`,
    '}',
  ].map((l) => indent + l);
}

/**
 * Route URLs to every other nats-server node, at its first DNS name or IP (both are in its
 * certificate, which the dialling server verifies) and its own cluster port.
 */
export function natsRoutes(node: NodeRecord, inv: Inventory): string[] {
  return nodesWithProfile(inv, natsServer.id)
    .filter((p) => p.name !== node.name)
    .map((p) => {
      const host = reachableAddress(p);
      if (!host) throw new UserError('refused', `nats-server node "${p.name}" has no DNS name or IP, so "${node.name}" cannot route to it: give it an address`);
      return `nats-route://${urlHost(host)}:${settings(p).clusterPort}`;
    });
}

/**
 * The `cluster { }` block, when the inventory holds other nats-server nodes. Routes are mutual TLS:
 * each server presents its certificate as a client (clientAuth) when it dials and as a server when
 * it is dialled, and both sides verify against our CA, so a server from another CA cannot join.
 */
function clusterBlock(node: NodeRecord, inv: Inventory, installDir: string): string[] {
  const routes = natsRoutes(node, inv);
  if (routes.length === 0) return [];
  const s = settings(node);
  return [
    'cluster {',
    `  name: "${s.clusterName}"`,
    ...(s.host ? [`  host: "${s.host}"`] : []),
    `  port: ${s.clusterPort}`,
    '  routes: [',
    ...routes.map((r) => `    "${r}"`),
    '  ]',
    ...tlsBlock(installDir, true, s.timeout, '  '),
    '}',
  ];
}

export const natsServer: Profile = {
  id: 'nats-server',
  title: 'NATS server (TLS, client certificates verified)',
  server: true,
  // Routes between servers are mutual TLS: the dialling server's certificate must carry clientAuth.
  client: true,
  loopback: false,
  defaultDest: '/etc/nats',
  verifyPort: NATS_PORT,
  verifyPortFor: (node) => settings(node).port,
  options: [
    { key: 'port', help: 'client port', default: String(NATS_PORT) },
    { key: 'host', help: 'listen address (default: all interfaces)' },
    { key: 'verify', help: 'require client certificates signed by the CA', default: 'true' },
    { key: 'tls_timeout', help: 'TLS handshake timeout in seconds', default: '2' },
    { key: 'cluster_port', help: 'port for routes between the nats-server nodes', default: String(NATS_CLUSTER_PORT) },
    { key: 'cluster_name', help: 'cluster name, the same on every nats-server node', default: 'cluster-trust' },
  ],
  checkOptions: (node) => void settings(node),
  files(ctx) {
    const s = settings(ctx.node);
    const block = tlsBlock(ctx.installDir, s.verify, s.timeout);
    const cluster = clusterBlock(ctx.node, ctx.inventory, ctx.installDir);
    const files = [
      textFile('nats-server.conf', [
        ...headerLines(ctx, 'NATS server with TLS (nats-server -c nats-server.conf)'),
        ...(s.host ? [`host: "${s.host}"`] : []),
        `port: ${s.port}`,
        '',
        ...block,
        ...(cluster.length ? ['', '# Routes to the other nats-server nodes, mutual TLS verified against the cluster CA.', ...cluster] : []),
      ], 'a complete minimal nats-server config with the TLS block'),
      textFile('nats-tls.conf', [...headerLines(ctx, 'the TLS block alone, to paste into an existing nats-server config'), ...block],
        'the tls { } block alone'),
    ];
    if (cluster.length) {
      files.push(textFile('nats-cluster.conf', [...headerLines(ctx, 'the cluster block alone, to paste into an existing nats-server config'), ...cluster],
        'the cluster { } block alone: routes to the other nats-server nodes over verified TLS'));
    }
    return files;
  },
};
