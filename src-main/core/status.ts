import { indexInventory, nodeKeyOf } from './inventory-index.ts';
import type { CertRecord, Inventory, NodeRecord } from '../vault/schema.ts';

/** `untrusted`: issued by a CA that has been retired, so no bundle trusts it any more. */
export type CertState = 'none' | 'ok' | 'renew' | 'expired' | 'revoked' | 'untrusted';

const DAY_MS = 86_400_000;

/**
 * ok, renew (inside the renewal window: the last third of its lifetime unless `withinDays` is
 * given), expired or revoked.
 */
export function certState(cert: Pick<CertRecord, 'notBefore' | 'notAfter' | 'status'> | undefined, now: Date, withinDays?: number): CertState {
  if (!cert) return 'none';
  if (cert.status === 'revoked') return 'revoked';
  const notAfter = new Date(cert.notAfter).getTime();
  if (now.getTime() >= notAfter) return 'expired';
  const windowMs = withinDays !== undefined ? withinDays * DAY_MS : (notAfter - new Date(cert.notBefore).getTime()) / 3;
  return notAfter - now.getTime() <= windowMs ? 'renew' : 'ok';
}

/** certState, plus `untrusted` when the certificate's CA is retired. */
export function certStateIn(inv: Inventory, cert: CertRecord | undefined, now: Date, withinDays?: number): CertState {
  const retired = cert ? inv.cas.filter((c) => c.id === cert.caId && c.status === 'retired').map((c) => c.id) : [];
  return untrustedOr(certState(cert, now, withinDays), cert, new Set(retired));
}

function untrustedOr(state: CertState, cert: CertRecord | undefined, retiredCas: ReadonlySet<string>): CertState {
  return cert && state !== 'revoked' && state !== 'expired' && retiredCas.has(cert.caId) ? 'untrusted' : state;
}

export interface NodeSummary {
  node: NodeRecord;
  cert?: CertRecord;
  state: CertState;
  daysLeft?: number;
}

/** One pass over the nodes with the certificates indexed once: O(nodes + certificates). */
export function summarizeNodes(inv: Inventory, now: Date, withinDays?: number): NodeSummary[] {
  const index = indexInventory(inv);
  const retiredCas = new Set(inv.cas.filter((c) => c.status === 'retired').map((c) => c.id));
  return inv.nodes.map((node) => {
    const cert = index.latest(nodeKeyOf(node));
    return {
      node,
      ...(cert ? { cert, daysLeft: Math.floor((new Date(cert.notAfter).getTime() - now.getTime()) / DAY_MS) } : {}),
      state: untrustedOr(certState(cert, now, withinDays), cert, retiredCas),
    };
  });
}
