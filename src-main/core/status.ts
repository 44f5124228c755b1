import { indexInventory, nodeKeyOf } from './inventory-index.ts';
import type { CoreContext } from './context.ts';
import type { CaRecord, CertRecord, Inventory, NodeRecord } from '../vault/schema.ts';
import type { CertSummary, NodesView } from './nodes-view.ts';
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

function untrustedOr(state: CertState, cert: Pick<CertRecord, 'caId'> | undefined, retiredCas: ReadonlySet<string>): CertState {
  return cert && state !== 'revoked' && state !== 'expired' && retiredCas.has(cert.caId) ? 'untrusted' : state;
}

export interface NodeSummary<C extends CertSummary = CertRecord> {
  node: NodeRecord;
  cert?: C;
  state: CertState;
  daysLeft?: number;
}

function summarize<C extends CertSummary>(nodes: readonly NodeRecord[], latestOf: (node: NodeRecord) => C | undefined, cas: readonly CaRecord[], now: Date, withinDays?: number, warnDays?: number): Array<NodeSummary<C>> {
  const retiredCas = new Set(cas.filter((c) => c.status === 'retired').map((c) => c.id));
  return nodes.map((node) => {
    const cert = latestOf(node);
    return {
      node,
      ...(cert ? { cert, daysLeft: Math.floor((new Date(cert.notAfter).getTime() - now.getTime()) / DAY_MS) } : {}),
      state: untrustedOr(certState(cert, now, withinDays, warnDays), cert, retiredCas),
    };
  });
}

/** One pass over the nodes with the certificates indexed once: O(nodes + certificates). */
export function summarizeNodes(inv: Inventory, now: Date, withinDays?: number, warnDays?: number): NodeSummary[] {
  const index = indexInventory(inv);
  return summarize(inv.nodes, (node) => index.latest(nodeKeyOf(node)), inv.cas, now, withinDays, warnDays);
}

/** The same over a NodesView (its newest certificates only). */
export function summarizeView(view: NodesView, now: Date, withinDays?: number, warnDays?: number): Array<NodeSummary<CertSummary>> {
  return summarize(view.nodes, (node) => view.latest.get(node.id), view.cas, now, withinDays, warnDays);
}
