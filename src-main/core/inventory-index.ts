import type { CertRecord, Inventory, NodeRecord } from '../vault/schema.ts';

/**
 * Lookups over one inventory, built in one pass: node by key, a node's certificates newest first.
 * The key a certificate points at its node by lives in these two accessors only, so records can
 * move to ids without touching the readers.
 */
export const nodeKeyOf = (node: NodeRecord): string => node.name;
export const certNodeKeyOf = (cert: CertRecord): string => cert.node;

export interface InventoryIndex {
  node(key: string): NodeRecord | undefined;
  /** In inventory (issuing) order. */
  certs(key: string): readonly CertRecord[];
  /** The newest by issuedAt; of equal times, the one recorded last. */
  latest(key: string): CertRecord | undefined;
}

const NONE: readonly CertRecord[] = Object.freeze([]);

function build(inv: Inventory): InventoryIndex {
  const nodes = new Map<string, NodeRecord>();
  for (const n of inv.nodes) nodes.set(nodeKeyOf(n), n);
  const certs = new Map<string, CertRecord[]>();
  for (const c of inv.certs) {
    const key = certNodeKeyOf(c);
    const list = certs.get(key);
    if (list) list.push(c);
    else certs.set(key, [c]);
  }
  const latest = new Map<string, CertRecord>();
  for (const [key, list] of certs) latest.set(key, list.reduce((a, b) => (b.issuedAt >= a.issuedAt ? b : a)));
  return {
    node: (key) => nodes.get(key),
    certs: (key) => certs.get(key) ?? NONE,
    latest: (key) => latest.get(key),
  };
}

// A frozen inventory (Vault.read's shared snapshot) cannot change, so its index is kept with it.
const kept = new WeakMap<Inventory, InventoryIndex>();

export function indexInventory(inv: Inventory): InventoryIndex {
  if (!Object.isFrozen(inv)) return build(inv);
  let index = kept.get(inv);
  if (!index) kept.set(inv, (index = build(inv)));
  return index;
}
