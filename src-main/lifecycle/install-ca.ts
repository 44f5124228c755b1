import type { x509 } from '../pki/provider.ts';
import type { CaMaterial } from '../pki/certificates.ts';
import { caSubjectOf, checkCaSubject, type CaSubject, type CaSubjectInput } from '../pki/ca-subject.ts';
import { constraintsFor, parsePermitted, readNameConstraints, type NameConstraintsInfo } from '../pki/name-constraints.ts';
import { activeCaRecord, caCertPath, caKeyPath, rootCertPath, rootKeyPath, rootOf, type CaInfo, type PermittedNames, type PreparedCa } from '../core/ca.ts';
import { resignCrls } from '../core/crl.ts';
import { liveCertHolders, previousCa } from './rotation-state.ts';
import { UserError } from '../errors.ts';
import type { CoreContext } from '../core/context.ts';
import type { CaRecord, Inventory, RootRecord } from '../vault/schema.ts';

export interface Rotated {
  ca: CaInfo;
  previous: CaRecord;
  /** Nodes whose current certificate still comes from the previous CA. */
  onPreviousCa: string[];
}

export interface RotateOptions {
  keyType?: string;
  days?: number;
  name?: string;
  permit?: PermittedNames;
  subject?: CaSubjectInput;
}

/** "Cluster CA" -> "Cluster CA G2": a distinct subject, so no verifier confuses the two CAs. */
export function nextCaName(current: string, generation: number): string {
  return `${current.replace(/\s+G\d+$/, '')} G${generation}`;
}

/** The name `ca rotate` proposes: the next root's for a two-tier CA, else the next CA's. */
export function nextRotationName(inv: Inventory): string {
  const active = activeCaRecord(inv);
  const root = rootOf(inv, active);
  return root ? nextCaName(root.name, inv.roots.length + 1) : nextCaName(active.name, inv.cas.length + 1);
}

/** One rotation at a time: a previous CA still trusted means the last one is not finished. */
export function refuseIfRotating(inv: Inventory): void {
  const pending = previousCa(inv);
  if (pending) {
    throw new UserError('conflict', `a rotation is already under way (CA "${pending.name}" is still trusted as the previous CA)`, { cli: 'renew its nodes and run `cluster-trust ca retire-old` first', app: 'finish it first in the CA rotation wizard (renew, push, retire)' });
  }
}

/**
 * What a new self-signed CA keeps of the one it replaces: its O and OU unless the user names
 * others (either part on its own), and its DNS and IP constraints unless new permitted names
 * replace them.
 */
export function successorTraits(oldCert: x509.X509Certificate, opts: { permit?: PermittedNames; subject?: CaSubjectInput }): { subject: CaSubject; nameConstraints: NameConstraintsInfo | undefined } {
  const kept = caSubjectOf(oldCert);
  const subject = checkCaSubject({ org: opts.subject?.org ?? kept.org, orgUnit: opts.subject?.orgUnit ?? kept.orgUnit });
  const old = readNameConstraints(oldCert);
  const carried = old && [old.permitted, old.excluded].some((s) => s.dns.length + s.ips.length > 0);
  const nameConstraints = opts.permit ? constraintsFor(parsePermitted(opts.permit)) : carried ? { ...old, critical: true, other: [] } : undefined;
  return { subject, nameConstraints };
}

/** A two-tier rotation's new root, written in the same transaction as its intermediate. */
export interface NewRoot {
  prepared: PreparedCa;
  record: RootRecord;
}

/**
 * The one transaction of a rotation (CA, intermediate, or root and intermediate): the active CA
 * becomes "previous", the new one lands with its files (and a new root's), CRLs are re-signed;
 * returns who holds a live certificate of the old CA (the rotation model's count, CSR-signed ones
 * included). A vault whose CAs changed meanwhile is refused, and the prepared keys discarded.
 */
export async function installNewCa(ctx: CoreContext, old: CaRecord, prepared: PreparedCa, signers: Map<string, CaMaterial>, record: CaRecord = prepared.record, root?: NewRoot): Promise<string[]> {
  try {
    return await ctx.vault.update(async (inv, tx) => {
      const active = activeCaRecord(inv);
      if (active.id !== old.id || previousCa(inv)) throw new UserError('conflict', 'the vault\'s CAs changed during the rotation; run the command again');
      active.status = 'previous';
      active.rotatedAt = ctx.now().toISOString();
      if (root) {
        tx.write(rootCertPath(root.record.id), root.prepared.certPem, 0o644);
        tx.write(rootKeyPath(root.record.id), root.prepared.encryptedKey, 0o600);
        inv.roots.push(root.record);
      }
      tx.write(caCertPath(record.id), prepared.certPem, 0o644);
      tx.write(caKeyPath(record.id), prepared.encryptedKey, 0o600);
      inv.cas.push(record);
      if (inv.crl) await resignCrls(ctx, inv, tx, signers);
      return liveCertHolders(inv, old.id, ctx.now());
    });
  } catch (err) {
    await prepared.discard();
    await root?.prepared.discard();
    throw err;
  }
}
