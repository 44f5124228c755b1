import type { Inventory, NodeRecord } from '../vault/schema.ts';
import type { Profile } from './types.ts';
import { portOption } from './options.ts';
import { tlsPaths } from './paths.ts';
import { peerUrls } from './peers.ts';
import { yamlFile } from './files.ts';
import { BACALHAU_API_PORT, bacalhauOrchestrator, orchestratorNatsPort } from './bacalhau-orchestrator.ts';

/** The orchestrators a compute node dials: the one its `orchestrator` option names, else all of them. */
function orchestratorUrls(node: NodeRecord, inv: Inventory): string[] {
  return peerUrls(node, inv, { peerProfile: bacalhauOrchestrator.id, option: 'orchestrator', dialler: 'compute node', scheme: 'nats', port: orchestratorNatsPort });
}

/** Seed 001: compute nodes trust the CA that signed the orchestrator's NATS certificate. */
export const bacalhauCompute: Profile = {
  id: 'bacalhau-compute',
  title: 'Bacalhau compute node',
  server: false,
  client: true,
  loopback: false,
  defaultDest: '/etc/bacalhau',
  options: [
    { key: 'orchestrator', help: 'the bacalhau-orchestrator node to connect to (default: every one in the inventory)' },
    { key: 'api_port', help: 'Bacalhau API port (API.Port)', default: String(BACALHAU_API_PORT) },
  ],
  checkOptions: (node) => void portOption(node, 'api_port'),
  files(ctx) {
    const tls = tlsPaths(ctx.installDir);
    const config = {
      NameProvider: 'uuid',
      API: { Port: portOption(ctx.node, 'api_port', BACALHAU_API_PORT) },
      Compute: { Enabled: true, Orchestrators: orchestratorUrls(ctx.node, ctx.inventory), TLS: { CACert: tls.ca } },
    };
    return [
      yamlFile('bacalhau-compute.yaml', ctx, 'Bacalhau compute node: trust the orchestrator\'s NATS certificate', config,
        'Bacalhau compute config (Compute.Orchestrators, Compute.TLS.CACert); merge into the node\'s Bacalhau config',
        ['Keep your own Compute.Auth.Token next to this: Cluster Trust stores no Bacalhau tokens.']),
    ];
  },
};
