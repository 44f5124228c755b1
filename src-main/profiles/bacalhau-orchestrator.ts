import type { NodeRecord } from '../vault/schema.ts';
import type { Profile } from './types.ts';
import { intOption, portOption } from './options.ts';
import { tlsPaths } from './paths.ts';
import { yamlFile } from './files.ts';

/** Bacalhau's defaults: API on 1234, the orchestrator's embedded NATS server on 4222. */
export const BACALHAU_API_PORT = 1234;
export const BACALHAU_NATS_PORT = 4222;

function settings(node: NodeRecord) {
  return {
    apiPort: portOption(node, 'api_port', BACALHAU_API_PORT),
    natsPort: portOption(node, 'nats_port', BACALHAU_NATS_PORT),
    serverTimeout: intOption(node, 'server_timeout', 15, 1, 3600),
  };
}

/** The NATS port compute nodes dial on this orchestrator. */
export function orchestratorNatsPort(node: NodeRecord): number {
  return settings(node).natsPort;
}

/**
 * Seed 001: the orchestrator hosts the NATS server compute nodes connect to. Its certificate must
 * name the address compute nodes dial, and always 127.0.0.1 for the orchestrator's own connections.
 */
export const bacalhauOrchestrator: Profile = {
  id: 'bacalhau-orchestrator',
  title: 'Bacalhau orchestrator (NATS over TLS)',
  server: true,
  client: false,
  loopback: true,
  defaultDest: '/etc/bacalhau',
  verifyPort: BACALHAU_NATS_PORT,
  verifyPortFor: (node) => settings(node).natsPort,
  options: [
    { key: 'api_port', help: 'Bacalhau API port (API.Port)', default: String(BACALHAU_API_PORT) },
    { key: 'nats_port', help: 'NATS port compute nodes connect to (Orchestrator.Port)', default: String(BACALHAU_NATS_PORT) },
    { key: 'server_timeout', help: 'TLS handshake timeout in seconds (Orchestrator.TLS.ServerTimeout)', default: '15' },
  ],
  checkOptions: (node) => void settings(node),
  files(ctx) {
    const s = settings(ctx.node);
    const tls = tlsPaths(ctx.installDir);
    const orchestrator: Record<string, unknown> = { Enabled: true };
    if (s.natsPort !== BACALHAU_NATS_PORT) orchestrator.Port = s.natsPort;
    orchestrator.TLS = { ServerCert: tls.cert, ServerKey: tls.key, CACert: tls.ca, ServerTimeout: s.serverTimeout };
    const config = { NameProvider: 'uuid', API: { Port: s.apiPort }, Orchestrator: orchestrator };
    return [
      yamlFile('bacalhau-orchestrator.yaml', ctx, 'Bacalhau orchestrator: TLS for the NATS server compute nodes connect to', config,
        'Bacalhau orchestrator config (Orchestrator.TLS); merge into the node\'s Bacalhau config',
        ['Keep your own Orchestrator.Auth.Token next to this: Cluster Trust stores no Bacalhau tokens.']),
    ];
  },
};
