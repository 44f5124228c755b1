import { existsSync } from 'node:fs';
import { forge } from '../libs/forge.ts';
import { x509 } from '../pki/provider.ts';
import { signingAlgorithm } from '../pki/keys.ts';
import { BACKDATE_MS } from '../pki/policy.ts';
import { pemBlocks, toPem } from '../pki/pem.ts';
import { activeCaRecord, unlockCa } from './ca.ts';
import { UserError, invalid } from '../errors.ts';
import { audit } from '../vault/audit.ts';
import { authorityKeyId, type CaMaterial } from '../pki/certificates.ts';
import type { CoreContext } from './context.ts';
import type { Transaction } from '../vault/vault.ts';
import type { CaRecord, CertRecord, Inventory } from '../vault/schema.ts';
import type { BundleFile } from '../profiles/types.ts';
import { DAY_MS } from '../pki/days.ts';

export const CRL_DEFAULT_DAYS = 30;
export const CRL_MAX_DAYS = 366;

/** Each CA signs its own CRL: a verifier looks a certificate's CRL up by the certificate's issuer. */
export const crlPath = (caId: string): string => `cas/${caId}/crl.pem`;

/**
 * RFC 5280 reason codes a user may give (certificateHold is left out: revocation here is final).
 * The codes themselves (equal to @peculiar/x509's X509CrlReason), so loading this module does not
 * load the X.509 library.
 */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  caCompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
} as const satisfies Record<string, x509.X509CrlReason>;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

export function parseReason(value: string | undefined): RevocationReason {
  if (value === undefined) return 'unspecified';
  if (!Object.hasOwn(REVOCATION_REASONS, value)) {
    throw invalid(`unknown revocation reason "${value}"; use one of ${Object.keys(REVOCATION_REASONS).join(', ')}`);
  }
  return value as RevocationReason;
}

export function checkCrlDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > CRL_MAX_DAYS) throw invalid(`--days for a CRL must be a whole number from 1 to ${CRL_MAX_DAYS} (got ${days})`);
  return days;
}

/** The cRLNumber extension (2.5.29.20): an INTEGER, encoded by node-forge's ASN.1 writer. */
function crlNumberExtension(n: number): x509.Extension {
  const { asn1 } = forge;
  const der = asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes())).getBytes();
  return new x509.Extension('2.5.29.20', false, Buffer.from(der, 'binary'));
}

export interface CrlWindow {
  number: number;
  thisUpdate: Date;
  nextUpdate: Date;
}

/** One CA's CRL: every revoked certificate it issued that has not expired yet. */
export async function signCrl(ca: CaMaterial, revoked: CertRecord[], window: CrlWindow): Promise<x509.X509Crl> {
  return x509.X509CrlGenerator.create({
    issuer: ca.cert.subjectName,
    thisUpdate: window.thisUpdate,
    nextUpdate: window.nextUpdate,
    signingKey: ca.signingKey,
    signingAlgorithm: signingAlgorithm(ca.keyType),
    extensions: [crlNumberExtension(window.number), await authorityKeyId(ca)],
    entries: revoked
      .filter((c) => new Date(c.notAfter) > window.thisUpdate)
      .map((c) => ({
        serialNumber: c.serial,
        revocationDate: new Date(c.revokedAt ?? window.thisUpdate),
        reason: REVOCATION_REASONS[(c.revocationReason ?? 'unspecified') as RevocationReason] ?? x509.X509CrlReason.unspecified,
      })),
  });
}

/** CAs whose certificates are still trusted, so each needs a CRL: the active one first. */
export function trustedCas(inv: Inventory): CaRecord[] {
  return inv.cas.filter((c) => c.status !== 'retired').sort((a, b) => (a.status === 'active' ? -1 : b.status === 'active' ? 1 : 0));
}

/** Unlocks every trusted CA before a transaction, so a missing passphrase fails before any change. */
export async function unlockTrustedCas(ctx: CoreContext, inv: Inventory): Promise<Map<string, CaMaterial>> {
  activeCaRecord(inv);
  const out = new Map<string, CaMaterial>();
  for (const rec of trustedCas(inv)) out.set(rec.id, await unlockCa(ctx, rec));
  return out;
}

/**
 * Signs a fresh CRL for every trusted CA inside a vault transaction, under the next CRL number
 * (one counter for the vault, so each CA's numbers only grow).
 */
export async function resignCrls(ctx: CoreContext, inv: Inventory, tx: Transaction, signers: Map<string, CaMaterial>, days?: number): Promise<CrlWindow & { pems: string[] }> {
  const cas = trustedCas(inv);
  const missing = cas.find((c) => !signers.has(c.id));
  if (missing) throw new UserError('conflict', 'the vault\'s CAs changed while signing the CRL; run the command again');
  const now = ctx.now();
  const chosenDays = days ?? inv.crl?.days ?? CRL_DEFAULT_DAYS;
  // Backdated like certificates, so a node whose clock is a little behind accepts it at once.
  const window: CrlWindow = { number: inv.crlNumber + 1, thisUpdate: new Date(now.getTime() - BACKDATE_MS), nextUpdate: new Date(now.getTime() + chosenDays * DAY_MS) };
  const pems: string[] = [];
  for (const ca of cas) {
    const revoked = inv.certs.filter((c) => c.caId === ca.id && c.status === 'revoked');
    // "X509 CRL" is the label openssl, nginx and Go read (the library writes "CRL").
    const text = toPem('X509 CRL', Buffer.from((await signCrl(signers.get(ca.id)!, revoked, window)).rawData));
    tx.write(crlPath(ca.id), text, 0o644);
    pems.push(text);
  }
  inv.crlNumber = window.number;
  inv.crl = { thisUpdate: window.thisUpdate.toISOString(), nextUpdate: window.nextUpdate.toISOString(), days: chosenDays, caIds: cas.map((c) => c.id) };
  return { ...window, pems };
}

export interface CrlResult extends CrlWindow {
  pem: string;
  /** DER of the active CA's CRL (one CRL per DER file). */
  der: Buffer;
  revoked: number;
  cas: number;
}

/** `crl`: signs new CRLs (the number grows every time) and returns them. */
export async function generateCrls(ctx: CoreContext, opts: { days?: number } = {}): Promise<CrlResult> {
  if (opts.days !== undefined) checkCrlDays(opts.days);
  const signers = await unlockTrustedCas(ctx, ctx.vault.read());
  const result = await ctx.vault.update(async (inv, tx) => {
    const r = await resignCrls(ctx, inv, tx, signers, opts.days);
    const trusted = new Set(trustedCas(inv).map((c) => c.id));
    return { ...r, revoked: inv.certs.filter((c) => c.status === 'revoked' && trusted.has(c.caId)).length, cas: trusted.size };
  });
  audit(ctx, { action: 'crl', detail: `CRL number ${result.number}, ${result.revoked} revoked, next update ${result.nextUpdate.toISOString()}` });
  const der = pemBlocks(result.pems[0]!)[0]!.der;
  return { number: result.number, thisUpdate: result.thisUpdate, nextUpdate: result.nextUpdate, pem: result.pems.join(''), der, revoked: result.revoked, cas: result.cas };
}

/** `crl.pem` for a bundle once anything is revoked: the CRLs of every CA the bundle trusts. */
export function crlBundleFiles(ctx: CoreContext, inv: Inventory): BundleFile[] {
  if (!inv.crl) return [];
  const cas = trustedCas(inv).filter((c) => inv.crl!.caIds.includes(c.id) && existsSync(ctx.vault.path(crlPath(c.id))));
  const ids = new Set(cas.map((c) => c.id));
  if (!inv.certs.some((c) => c.status === 'revoked' && ids.has(c.caId))) return [];
  return [{
    path: 'crl.pem',
    content: cas.map((c) => ctx.vault.readText(crlPath(c.id))).join(''),
    mode: 0o644,
    description: `revocation list(s), valid until ${inv.crl.nextUpdate} (nginx ssl_crl, Apache SSLCARevocationFile, HAProxy crl-file)`,
  }];
}
