import type { CertRecord, NodeRecord } from '../vault/schema.ts';

/** What the index reads: a whole inventory, or a node scope of one (Vault.readNodes). */
export interface NodesAndCerts {
  readonly nodes: readonly NodeRecord[];
  readonly certs: readonly CertRecord[];
}

/**
 * Lookups over one inventory, built in one pass: node by name, a node's certificates. Certificates
 * belong to a node record's id (a removed and re-added name starts with none); readers ask by the
 * node's name, which this maps to the record, and so to its id.
 */
export const nodeKeyOf = (node: NodeRecord): string => node.name;

export interface InventoryIndex {
  node(name: string): NodeRecord | undefined;
  /** In inventory (issuing) order. */
  certs(name: string): readonly CertRecord[];
  /** The newest by issuedAt; of equal times, the one recorded last. */
  latest(name: string): CertRecord | undefined;
}

const NONE: readonly CertRecord[] = Object.freeze([]);

function build(inv: NodesAndCerts): InventoryIndex {
  const nodes = new Map<string, NodeRecord>();
  for (const n of inv.nodes) nodes.set(nodeKeyOf(n), n);
  const byId = new Map<string, CertRecord[]>();
  for (const c of inv.certs) {
    if (c.nodeId === undefined) continue; // a stand-alone CSR certificate: no node's
    const list = byId.get(c.nodeId);
    if (list) list.push(c);
    else byId.set(c.nodeId, [c]);
  }
  const latest = new Map<string, CertRecord>();
  for (const [id, list] of byId) latest.set(id, list.reduce((a, b) => (b.issuedAt >= a.issuedAt ? b : a)));
  const idOf = (name: string): string | undefined => nodes.get(name)?.id;
  return {
    node: (name) => nodes.get(name),
    certs: (name) => byId.get(idOf(name) ?? '') ?? NONE,
    latest: (name) => latest.get(idOf(name) ?? ''),
  };
}

// A frozen inventory (Vault.read's shared snapshot) cannot change, so its index is kept with it.
const kept = new WeakMap<NodesAndCerts, InventoryIndex>();

export function indexInventory(inv: NodesAndCerts): InventoryIndex {
  if (!Object.isFrozen(inv)) return build(inv);
  let index = kept.get(inv);
  if (!index) kept.set(inv, (index = build(inv)));
  return index;
}
