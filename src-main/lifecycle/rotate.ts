import { createRootCa, parseCaCertificate, type CaMaterial } from '../pki/certificates.ts';
import { caSubjectOf, checkCaSubject, type CaSubjectInput } from '../pki/ca-subject.ts';
import { exportPkcs8Der } from '../pki/keys.ts';
import { isKeyType, type KeyType } from '../pki/policy.ts';
import { activeCaRecord, caCertPath, caInfo, caKeyPath, caPassphrase, prepareCa, type CaInfo, type PermittedNames } from '../core/ca.ts';
import { constraintsFor, parsePermitted, readNameConstraints } from '../pki/name-constraints.ts';
import { constraintWarnings } from '../core/name-policy.ts';
import { ownerOf } from '../core/nodes.ts';
import { certStateIn, type CertState } from '../core/status.ts';
import { liveCertHolders, liveCerts, previousCa, rotationState, type RotationStep } from './rotation-state.ts';
import { UserError, invalid } from '../errors.ts';
import { audit } from '../vault/audit.ts';
import { resignCrls, unlockTrustedCas } from '../core/crl.ts';
import type { CoreContext } from '../core/context.ts';
import type { CaRecord, Inventory } from '../vault/schema.ts';

/** "Cluster CA" -> "Cluster CA G2": a distinct subject, so no verifier confuses the two CAs. */
export function nextCaName(current: string, generation: number): string {
  return `${current.replace(/\s+G\d+$/, '')} G${generation}`;
}

export interface Rotated {
  ca: CaInfo;
  previous: CaRecord;
  /** Nodes whose current certificate still comes from the previous CA. */
  onPreviousCa: string[];
}

/**
 * `ca rotate`: a new CA becomes active and the old one `previous`, still trusted in every bundle's
 * ca.crt until `ca retire-old`. Written in one transaction (with fresh CRLs when the vault keeps
 * CRLs): a crash leaves the old CA alone in charge, or both in place, never one without the other.
 */
export async function rotateCa(ctx: CoreContext, opts: { keyType?: string; days?: number; name?: string; permit?: PermittedNames; subject?: CaSubjectInput } = {}): Promise<Rotated> {
  if (opts.keyType !== undefined && !isKeyType(opts.keyType)) throw invalid(`unknown key type "${opts.keyType}"`);
  const snapshot = ctx.vault.read();
  const old = activeCaRecord(snapshot);
  if (old.rootId) {
    throw new UserError('refused', `the CA "${old.name}" is the intermediate of an offline root: rotate the intermediate instead (workstations keep trusting the same root); a new root needs a new vault`, { cli: 'run `cluster-trust ca intermediate rotate [--root-key FILE]`', app: 'rotate its intermediate instead (the offline root stays as it is)' });
  }
  const pending = previousCa(snapshot);
  if (pending) {
    throw new UserError('conflict', `a rotation is already under way (CA "${pending.name}" is still trusted as the previous CA)`, { cli: 'renew its nodes and run `cluster-trust ca retire-old` first', app: 'finish it first in the CA rotation wizard (renew, push, retire)' });
  }
  const keyType = (opts.keyType as KeyType | undefined) ?? old.keyType;
  const name = opts.name ?? nextCaName(old.name, snapshot.cas.length + 1);
  // New permitted names replace the old CA's; without them the new CA keeps the old one's DNS and IP constraints.
  const oldCert = parseCaCertificate(ctx.vault.readText(caCertPath(old.id)));
  const oldConstraints = readNameConstraints(oldCert);
  // The organization stays the old CA's unless the user names another (either part on its own).
  const kept = caSubjectOf(oldCert);
  const subject = checkCaSubject({ org: opts.subject?.org ?? kept.org, orgUnit: opts.subject?.orgUnit ?? kept.orgUnit });
  const carried = oldConstraints && [oldConstraints.permitted, oldConstraints.excluded].some((s) => s.dns.length + s.ips.length > 0);
  const nameConstraints = opts.permit ? constraintsFor(parsePermitted(opts.permit)) : carried ? { ...oldConstraints, critical: true, other: [] } : undefined;
  const made = await createRootCa({ name, keyType, days: opts.days, now: ctx.now(), nameConstraints, subject });
  // CRLs are kept for every trusted CA: the old one's must be re-signed too, so unlock it first.
  const signers = snapshot.crl ? await unlockTrustedCas(ctx, snapshot) : new Map<string, CaMaterial>();
  // A CA whose passphrase is the user's own hands it to its successor: still one passphrase to know.
  const choice = old.passphraseIn === 'typed' && !ctx.passphraseFile ? { typed: await caPassphrase(ctx, old) } : {};
  const prepared = await prepareCa(ctx, { name: name.trim(), certPem: made.certPem, keyDer: await exportPkcs8Der(made.key.privateKey), keyType, imported: false }, () => {}, choice);
  const record = prepared.record;
  signers.set(record.id, { certPem: made.certPem, cert: parseCaCertificate(made.certPem), signingKey: made.key.privateKey, keyType });
  const onPreviousCa = await installNewCa(ctx, old, prepared, signers);
  audit(ctx, { action: 'ca.rotate', fingerprint: record.fingerprint, detail: `new CA "${record.name}" (${record.keyType}); previous CA ${old.fingerprint} stays trusted until retire-old` });
  const info = caInfo(ctx, record);
  return { ca: { ...info, warnings: constraintWarnings(info.nameConstraints, ctx.vault.read().nodes) }, previous: { ...old, status: 'previous' }, onPreviousCa };
}

export interface CaNodeRow {
  node: string;
  serial: string | null;
  ca: string | null;
  /** Status of the CA that issued the node's current certificate. */
  caStatus: CaRecord['status'] | null;
  state: CertState;
}

export interface CaStatus {
  cas: CaRecord[];
  /** Where the rotation stands (the wizard's step). */
  step: RotationStep;
  nodes: CaNodeRow[];
  /** Every holder of a live certificate from the previous CA, CSR-signed ones included: what retire-old refuses on. */
  onPreviousCa: string[];
  /** Nodes whose current certificate comes from an older CA: what `renew --old-ca` renews. */
  toRenew: string[];
  /** Renewed nodes with an SSH target not pushed successfully since. */
  pushPending: string[];
}

/** `ca status`: every CA the vault holds, which CA each node's current certificate comes from, and the rotation's step. */
export function caStatus(ctx: CoreContext): CaStatus {
  const inv = ctx.vault.read();
  const now = ctx.now();
  const s = rotationState(ctx);
  const nodes = s.holders
    .filter((h) => h.node)
    .map((h): CaNodeRow => ({ node: h.name, serial: h.cert?.serial ?? null, ca: h.ca?.name ?? null, caStatus: h.ca?.status ?? null, state: certStateIn(inv, h.cert, now) }));
  return { cas: inv.cas, step: s.step, nodes, onPreviousCa: s.onOldCa, toRenew: s.toRenew, pushPending: s.pushPending };
}

export interface Retired {
  retired: CaRecord;
  /** Nodes that still held a live certificate from it (only when forced). */
  forcedPast: string[];
}

/**
 * `ca retire-old`: the previous CA leaves every bundle's ca.crt. Refused while a node still holds
 * a live certificate from it, unless forced; its certificate and encrypted key stay in the vault.
 */
export async function retirePreviousCa(ctx: CoreContext, opts: { force?: boolean } = {}): Promise<Retired> {
  const check = (inv: Inventory): { prev: CaRecord; live: string[] } => {
    const prev = previousCa(inv);
    if (!prev) throw new UserError('refused', 'there is no previous CA to retire: no rotation is under way (see `cluster-trust ca status`)', 'there is no previous CA to retire: no rotation is under way');
    const live = liveCertHolders(inv, prev.id, ctx.now());
    if (live.length > 0 && !opts.force) {
      const list = (names: string[]): string => names.slice(0, 8).join(', ') + (names.length > 8 ? `, and ${names.length - 8} more` : '');
      const certs = liveCerts(inv, prev.id, ctx.now());
      const renewable = certs.filter((c) => ownerOf(inv, c));
      // Signed stand-alone from a CSR, or the node was removed: renewing cannot reach them.
      const orphans = [...new Set(certs.filter((c) => !ownerOf(inv, c)).map((c) => c.node))];
      const ways = [
        ...(renewable.length ? [{ cli: 'run `cluster-trust renew --old-ca` and push', app: 'renew them (Renew all) and push' }] : []),
        ...(orphans.length ? [{ cli: `sign a new CSR for or revoke (\`cluster-trust revoke --serial HEX\`) the certificates of ${list(orphans)}, which no inventory node renews`, app: `sign a new CSR for or revoke the certificates of ${list(orphans)}, which no inventory node renews` }] : []),
      ];
      const what = `${live.length} node(s) still hold a live certificate from the previous CA (${list(live)})`;
      throw new UserError('refused', `${what}: ${ways.map((w) => w.cli).join('; ')}; or add --force to cut them off`, `${what}: ${ways.map((w) => w.app).join('; ')}; or “Retire anyway…” to cut them off`);
    }
    return { prev, live };
  };
  check(ctx.vault.read());
  const result = await ctx.vault.update((inv) => {
    const { prev, live } = check(inv);
    prev.status = 'retired';
    prev.retiredAt = ctx.now().toISOString();
    if (inv.crl) inv.crl.caIds = inv.crl.caIds.filter((id) => id !== prev.id);
    return { retired: { ...prev }, forcedPast: live };
  });
  audit(ctx, {
    action: 'ca.retire',
    fingerprint: result.retired.fingerprint,
    outcome: 'ok',
    detail: `CA "${result.retired.name}" retired${result.forcedPast.length ? ` with --force while ${result.forcedPast.length} node(s) still used it` : ''}`,
  });
  return result;
}

/**
 * The one transaction of a rotation (CA or intermediate): the active CA becomes "previous", the new
 * one lands with its files, CRLs are re-signed; returns who holds a live certificate of the old CA
 * (the rotation model's count, CSR-signed ones included). A vault whose CAs changed meanwhile is
 * refused, and the prepared key discarded.
 */
export async function installNewCa(ctx: CoreContext, old: CaRecord, prepared: Awaited<ReturnType<typeof prepareCa>>, signers: Map<string, CaMaterial>, record: CaRecord = prepared.record): Promise<string[]> {
  try {
    return await ctx.vault.update(async (inv, tx) => {
      const active = activeCaRecord(inv);
      if (active.id !== old.id || previousCa(inv)) throw new UserError('conflict', 'the vault\'s CAs changed during the rotation; run the command again');
      active.status = 'previous';
      active.rotatedAt = ctx.now().toISOString();
      tx.write(caCertPath(record.id), prepared.certPem, 0o644);
      tx.write(caKeyPath(record.id), prepared.encryptedKey, 0o600);
      inv.cas.push(record);
      if (inv.crl) await resignCrls(ctx, inv, tx, signers);
      return liveCertHolders(inv, old.id, ctx.now());
    });
  } catch (err) {
    await prepared.discard();
    throw err;
  }
}
