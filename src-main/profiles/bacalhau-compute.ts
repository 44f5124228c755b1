import { UserError } from '../core/errors.ts';
import type { Inventory, NodeRecord } from '../vault/schema.ts';
import type { Profile } from './types.ts';
import { optionError, portOption, rawOption } from './options.ts';
import { tlsPaths, urlHost } from './paths.ts';
import { nodesWithProfile, reachableAddress } from './peers.ts';
import { yamlFile } from './files.ts';
import { BACALHAU_API_PORT, bacalhauOrchestrator, orchestratorNatsPort } from './bacalhau-orchestrator.ts';

/** The orchestrators a compute node dials: the one its `orchestrator` option names, else all of them. */
function orchestratorUrls(node: NodeRecord, inv: Inventory): string[] {
  let orchestrators = nodesWithProfile(inv, bacalhauOrchestrator.id);
  const wanted = rawOption(node, 'orchestrator');
  if (wanted !== undefined) {
    orchestrators = orchestrators.filter((o) => o.name === wanted);
    if (orchestrators.length === 0) throw optionError(node, 'orchestrator', `names "${wanted}", which is not a bacalhau-orchestrator node in the inventory`);
  }
  if (orchestrators.length === 0) {
    throw new UserError('refused', `bacalhau-compute node "${node.name}" needs a bacalhau-orchestrator node in the inventory to connect to: add one with \`node add NAME --profile bacalhau-orchestrator --ip A\``);
  }
  return orchestrators.map((o) => {
    const host = reachableAddress(o);
    if (!host) throw new UserError('refused', `bacalhau-orchestrator node "${o.name}" has no DNS name or IP, so compute node "${node.name}" cannot reach it: add one with \`node edit ${o.name} --ip A\``);
    return `nats://${urlHost(host)}:${orchestratorNatsPort(o)}`;
  });
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
