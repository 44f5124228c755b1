import { activeCaRecord } from '../core/ca.ts';
import { latestCert, latestOrphanCert, ownerOf, sshTargetText } from '../core/nodes.ts';
import { liveCertHolders, nextCaName } from '../lifecycle/rotate.ts';
import { certStateIn } from '../core/status.ts';
import { readAudit, type AuditEntry } from '../vault/audit.ts';
import type { CoreContext } from '../core/context.ts';
import type { CaRecord, NodeRecord } from '../vault/schema.ts';
import type { RotationCa, RotationNode, RotationView } from './contract.ts';

/**
 * The rotation wizard's state, derived from the vault and its audit log on every call: nothing is
 * kept in the app, so quitting half-way and coming back shows exactly where the rotation stands.
 */

export function rotationCa(rec: CaRecord): RotationCa {
  return {
    id: rec.id,
    name: rec.name,
    status: rec.status,
    keyType: rec.keyType,
    sha256: rec.fingerprint,
    notBefore: rec.notBefore,
    notAfter: rec.notAfter,
    rotatedAt: rec.rotatedAt ?? null,
    retiredAt: rec.retiredAt ?? null,
  };
}


/** The newest push of each node, keeping only pushes made since `since(node)`. */
function lastPushes(entries: AuditEntry[], since: (node: string) => string | null): Map<string, RotationNode['lastPush']> {
  const out = new Map<string, RotationNode['lastPush']>();
  for (const e of entries) {
    if (e.action !== 'push' || !e.node) continue;
    const from = since(e.node);
    if (from === null || e.time < from) continue;
    out.set(e.node, { time: e.time, outcome: e.outcome, detail: e.detail ?? '' });
  }
  return out;
}

export function rotationView(ctx: CoreContext): RotationView {
  const inv = ctx.vault.read();
  const active = activeCaRecord(inv);
  const previous = inv.cas.find((c) => c.status === 'previous') ?? null;
  const retired = inv.cas.filter((c) => c.status === 'retired').sort((a, b) => (b.retiredAt ?? '').localeCompare(a.retiredAt ?? ''));
  const now = ctx.now();
  const blocking = new Set(previous ? liveCertHolders(inv, previous.id, now) : []);
  const issuedAt = new Map(inv.nodes.map((n) => [n.name, latestCert(inv, n.name)?.issuedAt ?? null]));
  const pushes = lastPushes(readAudit(ctx), (node) => issuedAt.get(node) ?? null);
  // Certificates signed from a CSR without a node record still count: renewing cannot reach them.
  const known = new Set(inv.nodes.map((n) => n.name));
  const csrOnly = [...new Set(inv.certs.filter((c) => !ownerOf(inv, c) && !known.has(c.node) && c.status === 'active').map((c) => c.node))];
  const holders = [...inv.nodes.map((n) => ({ name: n.name, node: n as NodeRecord | null })), ...csrOnly.map((name) => ({ name, node: null }))];
  const nodes = holders.map(({ name, node: n }): RotationNode => {
    const cert = n ? latestCert(inv, name) : latestOrphanCert(inv, name);
    const ca = cert ? inv.cas.find((c) => c.id === cert.caId) : undefined;
    return {
      name,
      fromCsr: n === null,
      ssh: n?.ssh ? sshTargetText(n.ssh) : null,
      serial: cert?.serial ?? null,
      state: certStateIn(inv, cert, now),
      ca: ca?.name ?? null,
      caStatus: ca?.status ?? null,
      // Every certificate of the active CA was made after the rotation that brought it in.
      renewed: !!cert && cert.caId === active.id,
      blocksRetire: blocking.has(name),
      lastPush: pushes.get(name) ?? null,
    };
  });
  return {
    phase: previous ? 'overlap' : 'idle',
    active: rotationCa(active),
    previous: previous ? rotationCa(previous) : null,
    lastRetired: retired[0] ? rotationCa(retired[0]) : null,
    nodes,
    toRenew: nodes.filter((n) => !n.fromCsr && n.serial !== null && !n.renewed).length,
    blocking: [...blocking],
    lastBackupAt: inv.lastBackupAt ?? null,
    nextCaName: nextCaName(active.name, inv.cas.length + 1),
  };
}
