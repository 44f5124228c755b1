import { findNode, latestCert } from '../core/nodes.ts';
import { certStateIn } from '../core/status.ts';
import { UserError, invalid } from '../errors.ts';
import { audit, type AuditInput } from '../vault/audit.ts';
import { resignCrls, unlockTrustedCas } from '../core/crl.ts';
import { markRevoked } from './revoke.ts';
import type { CoreContext } from '../core/context.ts';
import type { CertRecord, Inventory, NodeRecord } from '../vault/schema.ts';

/** What becomes of a removed node's live certificate: revoked (the machine may keep its key), or left valid. */
export type RemovedCertChoice = 'revoke' | 'keep';

export interface RemovedNode {
  node: string;
  /** The record as it was: Undo puts it back (same id, so a kept certificate is its own again). */
  record: NodeRecord;
  /** The live certificate the node held, if any, and what was done with it. */
  cert: { serial: string; notAfter: string; revoked: boolean } | null;
  /** The CRL number signed for the revocation. */
  crlNumber: number | null;
}

/** The node's current certificate while a client would still accept it. */
export function liveCertOf(inv: Inventory, name: string, now: Date): CertRecord | undefined {
  const cert = latestCert(inv, name);
  const state = certStateIn(inv, cert, now);
  return cert && (state === 'ok' || state === 'renew') ? cert : undefined;
}

/**
 * Removes a node record. Its certificates stay in history under its old id, so a node added later
 * under the same name starts with none. A live certificate needs a choice: revoked in the same write
 * (with the CRLs re-signed), or kept valid; without one nothing is removed.
 */
export async function removeNode(ctx: CoreContext, name: string, opts: { cert?: RemovedCertChoice } = {}): Promise<RemovedNode> {
  return (await removeNodes(ctx, [name], opts))[0]!;
}

/**
 * Removes several nodes in one transaction, all or none: any node with a live certificate and no
 * choice refuses the whole batch. Each removal is audited per node; revoked certificates share one
 * CRL re-signing. The results carry the removed records, which the app keeps for Undo.
 */
export async function removeNodes(ctx: CoreContext, names: readonly string[], opts: { cert?: RemovedCertChoice } = {}): Promise<RemovedNode[]> {
  if (opts.cert !== undefined && opts.cert !== 'revoke' && opts.cert !== 'keep') throw invalid(`unknown choice "${String(opts.cert)}" for the certificate`);
  const wanted = [...new Set(names)];
  if (wanted.length === 0) throw invalid('name the nodes to remove');
  const check = (inv: Inventory) =>
    wanted.map((name) => {
      const node = findNode(inv, name);
      const live = liveCertOf(inv, name, ctx.now());
      if (live && !opts.cert) {
        throw new UserError('refused', `node "${name}" still holds a live certificate (serial ${live.serial}, valid until ${live.notAfter}): add --revoke to revoke it (the machine may still hold its key) or --keep-cert to leave it valid; nothing was removed`, `node "${name}" still holds a live certificate (serial ${live.serial}): choose to revoke it or keep it valid; nothing was removed`);
      }
      return { node, live };
    });
  const first = check(ctx.vault.read());
  const revoking = opts.cert === 'revoke' && first.some((f) => f.live);
  const signers = revoking ? await unlockTrustedCas(ctx, ctx.vault.read()) : null;
  const { results, crlNumber } = await ctx.vault.update(async (inv, tx) => {
    const now = check(inv);
    const results: RemovedNode[] = [];
    now.forEach(({ node, live }, i) => {
      if (node.id !== first[i]!.node.id || live?.serial !== first[i]!.live?.serial) throw new UserError('conflict', `node "${node.name}" changed while removing it; run the command again`);
      inv.nodes.splice(inv.nodes.indexOf(node), 1);
      const revoked = !!live && opts.cert === 'revoke';
      if (revoked) markRevoked(live, 'cessationOfOperation', ctx.now());
      results.push({ node: node.name, record: node, cert: live ? { serial: live.serial, notAfter: live.notAfter, revoked } : null, crlNumber: null });
    });
    const crl = revoking ? await resignCrls(ctx, inv, tx, signers!) : null;
    return { results, crlNumber: crl?.number ?? null };
  });
  for (const r of results) if (r.cert?.revoked) r.crlNumber = crlNumber;
  audit(ctx, results.flatMap((r): AuditInput[] => {
    const c = r.cert;
    return [
      { action: 'node.remove', node: r.node, ...(c ? { serial: c.serial, detail: c.revoked ? 'its certificate revoked' : 'its certificate kept valid' } : {}) },
      ...(c?.revoked ? [{ action: 'revoke', node: r.node, serial: c.serial, detail: 'reason cessationOfOperation (node removed)' }] : []),
    ];
  }).concat(crlNumber !== null ? [{ action: 'crl', detail: `CRL number ${crlNumber} after revoking ${results.flatMap((r) => (r.cert?.revoked ? [r.cert.serial] : [])).join(', ')}` }] : []));
  return results;
}
