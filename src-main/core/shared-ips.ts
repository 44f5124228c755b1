import type { NodeRecord } from '../vault/schema.ts';

/** An address this node shares with other nodes, and their names. */
export interface SharedIp {
  ip: string;
  nodes: string[];
}

/** Every IP held by more than one node, with the names holding it (inventory order). One pass. */
export function sharedIpIndex(nodes: readonly NodeRecord[]): Map<string, string[]> {
  const byIp = new Map<string, string[]>();
  for (const n of nodes) {
    for (const ip of n.ips) {
      const names = byIp.get(ip);
      if (names) names.push(n.name);
      else byIp.set(ip, [n.name]);
    }
  }
  for (const [ip, names] of byIp) if (names.length < 2) byIp.delete(ip);
  return byIp;
}

/** The addresses `node` shares, each with the other nodes that hold it. */
export function sharedIpsOf(index: ReadonlyMap<string, string[]>, node: NodeRecord): SharedIp[] {
  const out: SharedIp[] = [];
  for (const ip of node.ips) {
    const names = index.get(ip);
    if (names) out.push({ ip, nodes: names.filter((n) => n !== node.name) });
  }
  return out;
}

/** Shown at most this many addresses, then how many more. */
const MAX_LISTED = 10;

/**
 * One warning per address that the named nodes share with another node. A warning, never a
 * refusal: a virtual IP held by an HA pair (keepalived, CARP) is on both nodes' certificates.
 */
export function sharedIpWarnings(nodes: readonly NodeRecord[], names: readonly string[]): string[] {
  const index = sharedIpIndex(nodes);
  const wanted = new Set(names);
  const ips = new Set<string>();
  for (const n of nodes) if (wanted.has(n.name)) for (const ip of n.ips) if (index.has(ip)) ips.add(ip);
  const lines = [...ips].slice(0, MAX_LISTED).map((ip) => `${ip} is the address of ${index.get(ip)!.join(', ')}: fine for a shared virtual IP, otherwise correct it`);
  if (ips.size > MAX_LISTED) lines.push(`and ${ips.size - MAX_LISTED} more shared addresses`);
  return lines;
}
