import type { Inventory, NodeRecord } from '../vault/schema.ts';

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
