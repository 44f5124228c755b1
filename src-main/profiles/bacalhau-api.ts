import type { NodeRecord } from '../vault/schema.ts';
import type { Profile } from './types.ts';
import { portOption } from './options.ts';
import { tlsPaths } from './paths.ts';
import { headerLines, shellScript, textFile, yamlFile } from './files.ts';
import { BACALHAU_API_PORT } from './bacalhau-orchestrator.ts';

const apiPort = (node: NodeRecord): number | undefined => portOption(node, 'api_port');

/**
 * Seed 003: the requester API over HTTPS, three equivalent ways: the serve flags, the environment
 * variables, or the config keys. The bundle carries all three; use one.
 */
export const bacalhauApi: Profile = {
  id: 'bacalhau-api',
  title: 'Bacalhau requester API (HTTPS)',
  server: true,
  client: false,
  loopback: false,
  defaultDest: '/etc/bacalhau',
  verifyPort: BACALHAU_API_PORT,
  verifyPortFor: (node) => apiPort(node) ?? BACALHAU_API_PORT,
  options: [{ key: 'api_port', help: 'requester API port (Node.ServerAPI.Port); only written when set', default: String(BACALHAU_API_PORT) }],
  checkOptions: (node) => void apiPort(node),
  files(ctx) {
    const tls = tlsPaths(ctx.installDir);
    const port = apiPort(ctx.node);
    const serverApi: Record<string, unknown> = {};
    if (port !== undefined) serverApi.Port = port;
    serverApi.TLS = { ServerCertificate: tls.cert, ServerKey: tls.key };
    return [
      shellScript('bacalhau-serve.sh', ctx, 'Bacalhau requester API over HTTPS', [
        `exec bacalhau serve --node-type=requester --tlscert=${tls.cert} --tlskey=${tls.key} "$@"`,
      ], 'starts the requester with --tlscert/--tlskey'),
      textFile('bacalhau-tls.env', [
        ...headerLines(ctx, 'Bacalhau requester API over HTTPS (EnvironmentFile= or `set -a; . ./bacalhau-tls.env`)'),
        `BACALHAU_TLS_CERT=${tls.cert}`,
        `BACALHAU_TLS_KEY=${tls.key}`,
      ], 'BACALHAU_TLS_CERT / BACALHAU_TLS_KEY for the requester'),
      yamlFile('bacalhau-api.yaml', ctx, 'Bacalhau requester API over HTTPS', { Node: { ServerAPI: serverApi } },
        'Node.ServerAPI.TLS config keys; merge into the node\'s Bacalhau config'),
    ];
  },
};
