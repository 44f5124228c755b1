import { UserError } from '../errors.ts';
import type { Inventory, NodeRecord } from '../vault/schema.ts';
import { optionError, rawOption } from './options.ts';
import { urlHost } from './paths.ts';

/** Nodes of one profile, by name, so generated files do not change with inventory order. */
export function nodesWithProfile(inv: Inventory, profileId: string): NodeRecord[] {
  return inv.nodes.filter((n) => n.profile === profileId).sort((a, b) => a.name.localeCompare(b.name));
}

/** How other machines reach a node: its first DNS name, else its first IP (both are in its certificate). */
export function reachableAddress(node: NodeRecord): string | undefined {
  return node.dns[0] ?? node.ips[0];
}

/** The name a server presents itself under: first DNS name, else first IP, else localhost. */
export function serverName(node: NodeRecord): string {
  return node.dns[0] ?? node.ips[0] ?? 'localhost';
}

export interface PeerChoice {
  /** The profile of the nodes dialled (e.g. nats-server). */
  peerProfile: string;
  /** The node's option that names one of them (default: every one). */
  option: string;
  /** What the dialling node is called in messages ("client", "compute node"). */
  dialler: string;
  scheme: string;
  port: (peer: NodeRecord) => number;
}

/** The URLs a node dials: every node of `peerProfile`, or the one its option names; refused when there is none to reach. */
export function peerUrls(node: NodeRecord, inv: Inventory, choice: PeerChoice): string[] {
  let peers = nodesWithProfile(inv, choice.peerProfile);
  const wanted = rawOption(node, choice.option);
  if (wanted !== undefined) {
    peers = peers.filter((p) => p.name === wanted);
    if (peers.length === 0) throw optionError(node, choice.option, `names "${wanted}", which is not a ${choice.peerProfile} node in the inventory`);
  }
  if (peers.length === 0) {
    throw new UserError('refused', `${node.profile} node "${node.name}" needs a ${choice.peerProfile} node in the inventory to connect to`, { cli: `add one with \`node add NAME --profile ${choice.peerProfile} --ip A\``, app: `add one with Add node (profile ${choice.peerProfile})` });
  }
  return peers.map((p) => {
    const host = reachableAddress(p);
    if (!host) throw new UserError('refused', `${choice.peerProfile} node "${p.name}" has no DNS name or IP, so ${choice.dialler} "${node.name}" cannot reach it`, { cli: `add one with \`node edit ${p.name} --ip A\``, app: `add one in the Edit form of ${p.name}` });
    return `${choice.scheme}://${urlHost(host)}:${choice.port(p)}`;
  });
}
