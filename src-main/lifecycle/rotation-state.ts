import { activeCaRecord } from '../core/ca.ts';
import { latestCert, latestOrphanCert, ownerOf } from '../core/nodes.ts';
import { readAudit, type AuditEntry } from '../vault/audit.ts';
import type { CoreContext } from '../core/context.ts';
import type { CaRecord, CertRecord, Inventory, NodeRecord } from '../vault/schema.ts';

/**
 * Where a CA rotation stands, derived from the vault (and the audit log's pushes) on every call.
 * `ca status`, `ca retire-old`, `ca rotate` and the app's wizard all read it, so they cannot
 * disagree about who is still on the old CA.
 *
 * none: no rotation under way; renew: nodes still carry a certificate from an older CA; push:
 * renewed nodes with an SSH target have not been pushed since; retire: ready to retire (unless a
 * live certificate of the previous CA, say a CSR-signed one, still blocks it).
 */
export type RotationStep = 'none' | 'renew' | 'push' | 'retire';

export interface RotationPush {
  time: string;
  outcome: AuditEntry['outcome'];
  detail: string;
}

export interface RotationHolder {
  name: string;
  /** null: a certificate signed from a CSR with no node record (renewing cannot reach it). */
  node: NodeRecord | null;
  /** Its current certificate. */
  cert: CertRecord | undefined;
  ca: CaRecord | undefined;
  /** Its current certificate comes from the active CA. */
  renewed: boolean;
  /** It holds a live certificate of the previous CA: retiring cuts it off. */
  onOldCa: boolean;
  /** The newest push since its current certificate was issued. */
  lastPush: RotationPush | null;
  /** Renewed, pushable (an SSH target) and not pushed successfully since. */
  pushPending: boolean;
  /** Renewed but its new bundle not delivered by this app (no SSH target, or no successful push since). */
  undelivered: boolean;
}

export interface RotationState {
  step: RotationStep;
  active: CaRecord;
  previous: CaRecord | null;
  /** The CA retired most recently, if any. */
  lastRetired: CaRecord | null;
  holders: RotationHolder[];
  /** Every holder of a live certificate of the previous CA, CSR-signed ones included: what retire-old refuses on. */
  onOldCa: string[];
  /** Inventory nodes whose current certificate comes from an older CA: what `renew --old-ca` renews. */
  toRenew: string[];
  pushPending: string[];
  undelivered: string[];
}

export function previousCa(inv: Inventory): CaRecord | undefined {
  return inv.cas.find((c) => c.status === 'previous');
}

/** Current (not superseded, not revoked), unexpired certificates of a CA. */
export function liveCerts(inv: Inventory, caId: string, now: Date): CertRecord[] {
  return inv.certs.filter((c) => c.caId === caId && c.status === 'active' && new Date(c.notAfter) > now);
}

/** Who holds a still-live certificate of a CA: what retiring it cuts off. */
export function liveCertHolders(inv: Inventory, caId: string, now: Date): string[] {
  return [...new Set(liveCerts(inv, caId, now).map((c) => c.node))];
}

/** The newest push of each node, keeping only pushes made since `since(node)`. */
function lastPushes(entries: readonly AuditEntry[], since: (node: string) => string | null): Map<string, RotationPush> {
  const out = new Map<string, RotationPush>();
  for (const e of entries) {
    if (e.action !== 'push' || !e.node) continue;
    const from = since(e.node);
    if (from === null || e.time < from) continue;
    out.set(e.node, { time: e.time, outcome: e.outcome, detail: e.detail ?? '' });
  }
  return out;
}

/** The model from an inventory and the audit log's entries (none given: no push is known). */
export function rotationStateIn(inv: Inventory, now: Date, auditEntries: readonly AuditEntry[] = []): RotationState {
  const active = activeCaRecord(inv);
  const previous = previousCa(inv) ?? null;
  const lastRetired = inv.cas.filter((c) => c.status === 'retired').sort((a, b) => (b.retiredAt ?? '').localeCompare(a.retiredAt ?? ''))[0] ?? null;
  const onOldCa = previous ? liveCertHolders(inv, previous.id, now) : [];
  const blocking = new Set(onOldCa);
  const known = new Set(inv.nodes.map((n) => n.name));
  // Certificates signed from a CSR without a node record still count: renewing cannot reach them.
  const csrOnly = [...new Set(inv.certs.filter((c) => c.status === 'active' && !known.has(c.node) && !ownerOf(inv, c)).map((c) => c.node))];
  const certOf = new Map<string, CertRecord | undefined>([...inv.nodes.map((n) => [n.name, latestCert(inv, n.name)] as const), ...csrOnly.map((name) => [name, latestOrphanCert(inv, name)] as const)]);
  const pushes = lastPushes(auditEntries, (name) => certOf.get(name)?.issuedAt ?? null);
  const overlap = previous !== null;
  const holders = [...inv.nodes.map((n) => ({ name: n.name, node: n as NodeRecord | null })), ...csrOnly.map((name) => ({ name, node: null }))].map(({ name, node }): RotationHolder => {
    const cert = certOf.get(name);
    // Every certificate of the active CA was made after the rotation that brought it in.
    const renewed = !!cert && cert.caId === active.id;
    const lastPush = pushes.get(name) ?? null;
    const pushed = lastPush?.outcome === 'ok';
    return {
      name,
      node,
      cert,
      ca: cert ? inv.cas.find((c) => c.id === cert.caId) : undefined,
      renewed,
      onOldCa: blocking.has(name),
      lastPush,
      pushPending: overlap && renewed && !!node?.ssh && !pushed,
      undelivered: overlap && renewed && node !== null && (!node.ssh || !pushed),
    };
  });
  const toRenew = holders.filter((h) => h.node && h.cert && !h.renewed).map((h) => h.name);
  const pushPending = holders.filter((h) => h.pushPending).map((h) => h.name);
  const step: RotationStep = !overlap ? 'none' : toRenew.length ? 'renew' : pushPending.length ? 'push' : 'retire';
  return { step, active, previous, lastRetired, holders, onOldCa, toRenew, pushPending, undelivered: holders.filter((h) => h.undelivered).map((h) => h.name) };
}

/** The model for the vault as it is now, with the pushes its audit log records. */
export function rotationState(ctx: CoreContext): RotationState {
  return rotationStateIn(ctx.vault.read(), ctx.now(), readAudit(ctx));
}
