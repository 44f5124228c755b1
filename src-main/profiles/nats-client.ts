import type { Inventory, NodeRecord } from '../vault/schema.ts';
import type { Profile } from './types.ts';
import { tlsPaths } from './paths.ts';
import { peerUrls } from './peers.ts';
import { headerLines, textFile } from './files.ts';
import { natsServer, natsServerPort } from './nats-server.ts';

/** The servers a client dials: the nats-server node its `server` option names, else all of them. */
function serverUrls(node: NodeRecord, inv: Inventory): string[] {
  return peerUrls(node, inv, { peerProfile: natsServer.id, option: 'server', dialler: 'client', scheme: 'tls', port: natsServerPort });
}

/** A client with its own certificate (clientAuth), for servers that verify client certificates. */
export const natsClient: Profile = {
  id: 'nats-client',
  title: 'NATS client (client certificate)',
  server: false,
  client: true,
  loopback: false,
  defaultDest: '/etc/nats',
  options: [{ key: 'server', help: 'the nats-server node to connect to (default: every one in the inventory)' }],
  files(ctx) {
    const tls = tlsPaths(ctx.installDir);
    const url = serverUrls(ctx.node, ctx.inventory).join(',');
    return [
      textFile('nats-client.env', [
        ...headerLines(ctx, 'NATS client over TLS: the nats CLI reads these variables'),
        `NATS_URL=${url}`,
        `NATS_CA=${tls.ca}`,
        `NATS_CERT=${tls.cert}`,
        `NATS_KEY=${tls.key}`,
      ], 'NATS_URL, NATS_CA, NATS_CERT, NATS_KEY for clients'),
      textFile('nats-client.txt', [
        `NATS client "${ctx.node.name}": connect to ${url} with`,
        `  CA (trust):     ${tls.ca}`,
        `  certificate:    ${tls.cert}`,
        `  private key:    ${tls.key}`,
        '',
        'nats CLI:',
        `  nats --server ${url} --tlsca ${tls.ca} --tlscert ${tls.cert} --tlskey ${tls.key} server check connection`,
        'nats.js / nats.go / nats.py: servers = the URL above; tls = { ca, cert, key } = the three files above.',
      ], 'which URL and files a NATS client uses'),
    ];
  },
};
