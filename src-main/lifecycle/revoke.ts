import { normalizeSerial } from '../pki/serial.ts';
import { findNode, latestCert, latestOrphanCert, ownerOf } from '../core/nodes.ts';
import { UserError, invalid } from '../errors.ts';
import { audit } from '../vault/audit.ts';
import { parseReason, resignCrls, unlockTrustedCas, type RevocationReason } from '../core/crl.ts';
import type { CoreContext } from '../core/context.ts';
import type { CertRecord, Inventory } from '../vault/schema.ts';

export type RevokeTarget = { node: string } | { serial: string };

export interface Revoked {
  cert: CertRecord;
  reason: RevocationReason;
  crlNumber: number;
  /** It was the current certificate of a node in the inventory: that node needs a new one. */
  needsRenewal: boolean;
}

function findTarget(inv: Inventory, target: RevokeTarget): CertRecord {
  if ('serial' in target) {
    const wanted = normalizeSerial(target.serial);
    if (!wanted) throw invalid(`"${target.serial}" is not a hexadecimal serial number`);
    const cert = inv.certs.find((c) => normalizeSerial(c.serial) === wanted);
    if (!cert) throw new UserError('not-found', `no certificate with serial ${target.serial} in this vault; see \`cluster-trust node show NAME\``);
    return cert;
  }
  // A name that is no node's may label a stand-alone CSR certificate or a removed node's.
  const cert = inv.nodes.some((n) => n.name === target.node) ? latestCert(inv, target.node) : latestOrphanCert(inv, target.node);
  if (!cert) {
    findNode(inv, target.node);
    throw new UserError('not-found', `node "${target.node}" has no certificate to revoke`);
  }
  return cert;
}

function checkRevocable(inv: Inventory, cert: CertRecord): void {
  if (cert.status === 'revoked') {
    throw new UserError('conflict', `certificate ${cert.serial} of "${cert.node}" is already revoked (since ${cert.revokedAt ?? 'earlier'})`);
  }
  if (inv.cas.find((c) => c.id === cert.caId)?.status === 'retired') {
    throw new UserError('refused', `certificate ${cert.serial} was issued by a retired CA that nothing trusts any more; there is nothing to revoke`);
  }
}

/** Inside a vault transaction: the record says revoked (the caller re-signs the CRLs in the same write). */
export function markRevoked(cert: CertRecord, reason: RevocationReason, now: Date): void {
  cert.status = 'revoked';
  cert.revokedAt = now.toISOString();
  cert.revocationReason = reason;
}

/**
 * Marks a certificate revoked (it stays in history) and re-signs the CRLs in the same transaction,
 * so the vault never holds a revocation its CRL does not list.
 */
export async function revokeCertificate(ctx: CoreContext, target: RevokeTarget, reasonName?: string): Promise<Revoked> {
  const reason = parseReason(reasonName);
  const snapshot = ctx.vault.read();
  const chosen = findTarget(snapshot, target);
  checkRevocable(snapshot, chosen);
  const signers = await unlockTrustedCas(ctx, snapshot);
  const result = await ctx.vault.update(async (inv, tx) => {
    const cert = inv.certs.find((c) => c.serial === chosen.serial);
    if (!cert) throw new UserError('conflict', 'the vault changed while revoking; run the command again');
    checkRevocable(inv, cert);
    markRevoked(cert, reason, ctx.now());
    const crl = await resignCrls(ctx, inv, tx, signers);
    const owner = ownerOf(inv, cert);
    const needsRenewal = !!owner && latestCert(inv, owner.name)?.serial === cert.serial;
    return { cert: { ...cert }, crlNumber: crl.number, needsRenewal };
  });
  audit(ctx, [
    { action: 'revoke', node: result.cert.node, serial: result.cert.serial, fingerprint: result.cert.fingerprint, detail: `reason ${reason}` },
    { action: 'crl', detail: `CRL number ${result.crlNumber} after revoking ${result.cert.serial}` },
  ]);
  return { ...result, reason };
}
