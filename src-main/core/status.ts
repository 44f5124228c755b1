import { indexInventory, nodeKeyOf } from './inventory-index.ts';
import type { CoreContext } from './context.ts';
import type { CertRecord, Inventory, NodeRecord } from '../vault/schema.ts';
import { DAY_MS } from '../pki/days.ts';

/** `untrusted`: issued by a CA that has been retired, so no bundle trusts it any more. */
export type CertState = 'none' | 'ok' | 'renew' | 'expired' | 'revoked' | 'untrusted';


/** Fewer days left than this and a certificate is due, whatever its lifetime (the app's setting, `status --within`). */
export const DEFAULT_WARN_DAYS = 30;
export const MAX_WARN_DAYS = 3650;

/** The expiry warning threshold in force: the front end's setting, else the default. */
export function warnDaysOf(ctx: Pick<CoreContext, 'warnDays'>): number {
  return ctx.warnDays?.() ?? DEFAULT_WARN_DAYS;
}

/**
 * ok, renew, expired or revoked. Renew: at most `withinDays` left when given; otherwise at most
 * `warnDays` left (absolute time, so a 20-day certificate with 19 days left is due) or inside the
 * last third of its lifetime (so long-lived ones are renewed early).
 */
export function certState(cert: Pick<CertRecord, 'notBefore' | 'notAfter' | 'status'> | undefined, now: Date, withinDays?: number, warnDays = DEFAULT_WARN_DAYS): CertState {
  if (!cert) return 'none';
  if (cert.status === 'revoked') return 'revoked';
  const notAfter = new Date(cert.notAfter).getTime();
  if (now.getTime() >= notAfter) return 'expired';
  const windowMs = withinDays !== undefined ? withinDays * DAY_MS : Math.max(warnDays * DAY_MS, (notAfter - new Date(cert.notBefore).getTime()) / 3);
  return notAfter - now.getTime() <= windowMs ? 'renew' : 'ok';
}

/** certState, plus `untrusted` when the certificate's CA is retired. */
export function certStateIn(inv: Inventory, cert: CertRecord | undefined, now: Date, withinDays?: number, warnDays?: number): CertState {
  const retired = cert ? inv.cas.filter((c) => c.id === cert.caId && c.status === 'retired').map((c) => c.id) : [];
  return untrustedOr(certState(cert, now, withinDays, warnDays), cert, new Set(retired));
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
export function summarizeNodes(inv: Inventory, now: Date, withinDays?: number, warnDays?: number): NodeSummary[] {
  const index = indexInventory(inv);
  const retiredCas = new Set(inv.cas.filter((c) => c.status === 'retired').map((c) => c.id));
  return inv.nodes.map((node) => {
    const cert = index.latest(nodeKeyOf(node));
    return {
      node,
      ...(cert ? { cert, daysLeft: Math.floor((new Date(cert.notAfter).getTime() - now.getTime()) / DAY_MS) } : {}),
      state: untrustedOr(certState(cert, now, withinDays, warnDays), cert, retiredCas),
    };
  });
}
