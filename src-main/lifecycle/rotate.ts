import { createRootCa, parseCaCertificate, type CaMaterial } from '../pki/certificates.ts';
import { exportPkcs8Der } from '../pki/keys.ts';
import { isKeyType, type KeyType } from '../pki/policy.ts';
import { activeCaRecord, caCertPath, caInfo, caPassphrase, prepareCa } from '../core/ca.ts';
import { constraintWarnings } from '../core/name-policy.ts';
import { ownerOf } from '../core/nodes.ts';
import { certStateIn, type CertState } from '../core/status.ts';
import { liveCertHolders, liveCerts, previousCa, rotationState, type RotationStep } from './rotation-state.ts';
import { UserError, invalid } from '../errors.ts';
import { audit } from '../vault/audit.ts';
import { unlockTrustedCas } from '../core/crl.ts';
import { installNewCa, nextRotationName, refuseIfRotating, successorTraits, type RotateOptions, type Rotated } from './install-ca.ts';
import { rotateRoot } from './rotate-root.ts';
import type { CoreContext } from '../core/context.ts';
import type { CaRecord, Inventory } from '../vault/schema.ts';

export type { Rotated } from './install-ca.ts';

/**
 * `ca rotate`: a new CA becomes active and the old one `previous`, still trusted in every bundle's
 * ca.crt until `ca retire-old`. Written in one transaction (with fresh CRLs when the vault keeps
 * CRLs): a crash leaves the old CA alone in charge, or both in place, never one without the other.
 * A two-tier vault gets a new root and intermediate (`rotateRoot`).
 */
export async function rotateCa(ctx: CoreContext, opts: RotateOptions = {}): Promise<Rotated> {
  if (opts.keyType !== undefined && !isKeyType(opts.keyType)) throw invalid(`unknown key type "${opts.keyType}"`);
  const snapshot = ctx.vault.read();
  const old = activeCaRecord(snapshot);
  refuseIfRotating(snapshot);
  if (old.rootId) return rotateRoot(ctx, old, opts);
  const keyType = (opts.keyType as KeyType | undefined) ?? old.keyType;
  const name = opts.name ?? nextRotationName(snapshot);
  const { subject, nameConstraints } = successorTraits(parseCaCertificate(ctx.vault.readText(caCertPath(old.id))), opts);
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
  /**
   * Whether ca.crt lost a certificate: false for an intermediate whose root still anchors the
   * active one (nodes need nothing), true for a one-tier CA or the last intermediate of a replaced root.
   */
  caCrtChanged: boolean;
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
    const anchorOf = (c: CaRecord): string => c.rootId ?? c.id;
    const caCrtChanged = !inv.cas.some((c) => c.status !== 'retired' && anchorOf(c) === anchorOf(prev));
    return { retired: { ...prev }, forcedPast: live, caCrtChanged };
  });
  audit(ctx, {
    action: 'ca.retire',
    fingerprint: result.retired.fingerprint,
    outcome: 'ok',
    detail: `CA "${result.retired.name}" retired${result.forcedPast.length ? ` with --force while ${result.forcedPast.length} node(s) still used it` : ''}`,
  });
  return result;
}
