import { findNode, latestCert } from '../core/nodes.ts';
import { certStateIn } from '../core/status.ts';
import { UserError, invalid } from '../errors.ts';
import { audit } from '../vault/audit.ts';
import { resignCrls, unlockTrustedCas } from '../core/crl.ts';
import { markRevoked } from './revoke.ts';
import type { CoreContext } from '../core/context.ts';
import type { CertRecord, Inventory } from '../vault/schema.ts';

/** What becomes of a removed node's live certificate: revoked (the machine may keep its key), or left valid. */
export type RemovedCertChoice = 'revoke' | 'keep';

export interface RemovedNode {
  node: string;
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
  if (opts.cert !== undefined && opts.cert !== 'revoke' && opts.cert !== 'keep') throw invalid(`unknown choice "${String(opts.cert)}" for the certificate`);
  const check = (inv: Inventory) => {
    const node = findNode(inv, name);
    const live = liveCertOf(inv, name, ctx.now());
    if (live && !opts.cert) {
      throw new UserError('refused', `node "${name}" still holds a live certificate (serial ${live.serial}, valid until ${live.notAfter}): add --revoke to revoke it (the machine may still hold its key) or --keep-cert to leave it valid; nothing was removed`);
    }
    return { node, live };
  };
  const first = check(ctx.vault.read());
  const revoking = !!first.live && opts.cert === 'revoke';
  const signers = revoking ? await unlockTrustedCas(ctx, ctx.vault.read()) : null;
  const result = await ctx.vault.update(async (inv, tx): Promise<RemovedNode> => {
    const { node, live } = check(inv);
    if (node.id !== first.node.id || live?.serial !== first.live?.serial) throw new UserError('conflict', `node "${name}" changed while removing it; run the command again`);
    inv.nodes.splice(inv.nodes.indexOf(node), 1);
    if (!live) return { node: name, cert: null, crlNumber: null };
    if (!revoking) return { node: name, cert: { serial: live.serial, notAfter: live.notAfter, revoked: false }, crlNumber: null };
    markRevoked(live, 'cessationOfOperation', ctx.now());
    const crl = await resignCrls(ctx, inv, tx, signers!);
    return { node: name, cert: { serial: live.serial, notAfter: live.notAfter, revoked: true }, crlNumber: crl.number };
  });
  const c = result.cert;
  audit(ctx, [
    { action: 'node.remove', node: name, ...(c ? { serial: c.serial, detail: c.revoked ? 'its certificate revoked' : 'its certificate kept valid' } : {}) },
    ...(c?.revoked ? [{ action: 'revoke', node: name, serial: c.serial, detail: 'reason cessationOfOperation (node removed)' }, { action: 'crl', detail: `CRL number ${result.crlNumber} after revoking ${c.serial}` }] : []),
  ]);
  return result;
}
