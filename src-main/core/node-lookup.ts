import { indexInventory, type NodesAndCerts } from './inventory-index.ts';
import { UserError } from '../errors.ts';
import type { CertRecord, Inventory, NodeRecord } from '../vault/schema.ts';
import type { CoreContext } from './context.ts';

/** Read-only lookups over an inventory: nodes by name, their certificates. */
export function findNode(inv: NodesAndCerts, name: string): NodeRecord {
  const node = Object.isFrozen(inv) ? indexInventory(inv).node(name) : inv.nodes.find((n) => n.name === name);
  if (!node) throw new UserError('not-found', `no node named "${name}"; see \`cluster-trust node list\``, `no node named "${name}"`);
  return node;
}

/** Certificates are a node record's (by id), never a name's: a re-added name does not inherit them. */
export function certsOf(inv: Inventory, node: NodeRecord): CertRecord[] {
  return inv.certs.filter((c) => c.nodeId === node.id);
}

function newest(certs: Iterable<CertRecord>): CertRecord | undefined {
  let latest: CertRecord | undefined;
  for (const c of certs) if (!latest || c.issuedAt >= latest.issuedAt) latest = c;
  return latest;
}

/** The newest certificate of the node named `name`. O(1) on a Vault.read snapshot; one pass otherwise. */
export function latestCert(inv: Inventory, name: string): CertRecord | undefined {
  if (Object.isFrozen(inv)) return indexInventory(inv).latest(name);
  const node = inv.nodes.find((n) => n.name === name);
  return node ? newest(certsOf(inv, node)) : undefined;
}

/** Newest first; of equal times, in the order recorded. */
export function certHistory(inv: Inventory, name: string): CertRecord[] {
  return newestFirst(indexInventory(inv).certs(name));
}

function newestFirst(certs: readonly CertRecord[]): CertRecord[] {
  return [...certs].sort((a, b) => b.issuedAt.localeCompare(a.issuedAt));
}

/**
 * A node and its certificate history (newest first), reading only its own lines of the inventory
 * when the vault can (its file is the one it last checked and wrote), else the whole inventory.
 */
export function nodeWithHistory(ctx: CoreContext, name: string): { node: NodeRecord; history: CertRecord[] } {
  const own = ctx.vault.readNodeRecords(name);
  if (own) return { node: own.node, history: newestFirst(own.certs) };
  const inv = ctx.vault.read();
  const node = findNode(inv, name);
  return { node, history: certHistory(inv, node.name) };
}

/** The node a certificate belongs to, if that node record still exists. */
export function ownerOf(inv: Inventory, cert: CertRecord): NodeRecord | undefined {
  return cert.nodeId === undefined ? undefined : inv.nodes.find((n) => n.id === cert.nodeId);
}

/** The newest certificate under this label that no current node owns: signed stand-alone from a CSR, or a removed node's. */
export function latestOrphanCert(inv: Inventory, label: string): CertRecord | undefined {
  return newest(inv.certs.filter((c) => c.node === label && !ownerOf(inv, c)));
}
