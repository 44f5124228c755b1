import { createPrivateKey, X509Certificate } from 'node:crypto';
import { checkDays } from '../pki/certificates.ts';
import { spkiOf } from '../pki/keys.ts';
import { unique } from '../pki/names.ts';
import { BACKDATE_MS, LEAF_MAX_DAYS, isKeyType, type KeyType } from '../pki/policy.ts';
import { openNodeKey } from '../keychain/node-keys.ts';
import { activeCaRecord, nodeKeyKek } from '../core/ca.ts';
import { findNode, latestCert } from '../core/nodes.ts';
import { summarizeNodes, warnDaysOf } from '../core/status.ts';
import { issueForNodes, type Issued, type LeafPlan } from '../core/issue.ts';
import { UserError, invalid } from '../errors.ts';
import { DUE_STATES, checkWithin } from './status.ts';
import type { CoreContext } from '../core/context.ts';
import type { CertRecord, Inventory, NodeRecord } from '../vault/schema.ts';
import { issueOnNodes, onNodeFailures, type KeyChoice, type OnNodeEvent, type OnNodeOptions } from './key-on-node.ts';
import { DAY_MS } from '../pki/days.ts';

/** Which nodes: named ones, those due (renew/expired/revoked/untrusted), all, or those still on an older CA. */
export type RenewSelection = string[] | 'due' | 'all' | 'old-ca';

/** rekey: a new key; keep-key: re-sign the node's current key; auto: new key unless the node made its own (CSR). */
export type KeyMode = 'auto' | 'rekey' | 'keep-key';

export interface RenewOptions {
  keyMode?: KeyMode;
  days?: number;
  keyType?: string;
  withinDays?: number;
  /**
   * `--keep-csr-key`: also re-sign a key the vault did not make (the node's CSR key). Only for nodes
   * named one by one: a CSR's key may be anyone's, so it is never kept by a batch or by default.
   */
  keepCsrKey?: boolean;
  /** A batch (--due, --all, --old-ca) leaves out a node whose key came from a CSR and says so here. */
  onSkipped?: (node: string, why: string) => void;
  /** `--push`: every chosen node must have an SSH target, checked before anything is renewed. */
  requireSshTarget?: boolean;
  onProgress?: (done: number, total: number, node: string) => void;
  /** SSH settings for nodes that make their own key (they are renewed over SSH, keeping their key unless rekey). */
  onNode?: Omit<OnNodeOptions, 'key' | 'keyType' | 'days' | 'daysFor' | 'action'>;
  onNodeEvent?: (e: OnNodeEvent) => void;
  /** A node whose key is made on the node could not be renewed (unreachable, no openssl, a refused CSR...). */
  onFailed?: (node: string, message: string) => void;
}

export interface Renewed extends Issued {
  previousSerial: string;
  keptKey: boolean;
}


function select(inv: Inventory, sel: RenewSelection, now: Date, withinDays?: number, warnDays?: number): string[] {
  if (Array.isArray(sel)) {
    const names = unique(sel);
    if (names.length === 0) throw invalid('name the nodes to renew, or use --due, --all or --old-ca');
    for (const name of names) {
      findNode(inv, name);
      if (!latestCert(inv, name)) throw new UserError('not-found', `node "${name}" has no certificate to renew yet: run \`cluster-trust issue ${name}\``);
    }
    return names;
  }
  const active = activeCaRecord(inv);
  return summarizeNodes(inv, now, withinDays, warnDays)
    .filter((s) => s.cert && (sel === 'all' || (sel === 'due' ? DUE_STATES.has(s.state) : s.cert.caId !== active.id)))
    .map((s) => s.node.name);
}

/** The previous certificate's lifetime in whole days, so a 30-day node stays a 30-day node. */
function previousDays(cert: CertRecord): number {
  const ms = new Date(cert.notAfter).getTime() - new Date(cert.notBefore).getTime() - BACKDATE_MS;
  return Math.min(LEAF_MAX_DAYS, Math.max(1, Math.round(ms / DAY_MS)));
}

function compromised(cert: CertRecord): boolean {
  return cert.status === 'revoked' && (cert.revocationReason === 'keyCompromise' || cert.revocationReason === 'caCompromise');
}

/** Reads the public key of a certificate and, when the vault holds it, its private key. */
async function existingKey(ctx: CoreContext, inv: Inventory, cert: CertRecord): Promise<NonNullable<LeafPlan['existingKey']>> {
  const entry = ctx.vault.readPack(cert.pack).certs[cert.serial];
  if (!entry) throw new UserError('vault-corrupt', `certificate ${cert.serial} is missing from the vault`);
  const spki = spkiOf(new X509Certificate(entry.cert).publicKey);
  let pkcs8Der: Buffer | null = null;
  if (entry.key) {
    const ca = inv.cas.find((c) => c.id === cert.caId);
    if (!ca) throw new UserError('vault-corrupt', `the CA that sealed the key of ${cert.serial} is missing from the vault`);
    // The key was sealed under the CA that issued it, which may be the previous one after a rotation.
    pkcs8Der = openNodeKey(await nodeKeyKek(ctx, ca), entry.key);
    const privateSpki = spkiOf(createPrivateKey({ key: pkcs8Der, format: 'der', type: 'pkcs8' }));
    if (!privateSpki.equals(spki)) throw new UserError('vault-corrupt', `the stored key of ${cert.node} does not match its certificate ${cert.serial}`);
  }
  return { publicKeyDer: Uint8Array.from(spki).buffer, keyType: cert.keyType, pkcs8Der };
}

/**
 * Re-issues nodes' certificates with their current names and profile, a new serial and validity,
 * from the active CA. One transaction for the whole batch: a crash leaves all old or all new.
 */
export async function renewNodes(ctx: CoreContext, sel: RenewSelection, opts: RenewOptions = {}): Promise<Renewed[]> {
  const withinDays = checkWithin(opts.withinDays);
  const mode = opts.keyMode ?? 'auto';
  if (opts.keyType !== undefined) {
    if (mode === 'keep-key') throw invalid('--key chooses the type of a new key: it cannot go with --keep-key');
    if (!isKeyType(opts.keyType)) throw invalid(`unknown key type "${opts.keyType}"`);
  }
  if (opts.days !== undefined) checkDays(opts.days, LEAF_MAX_DAYS, 'node certificates');
  if (opts.keepCsrKey && mode === 'rekey') throw invalid('choose --rekey or --keep-csr-key, not both');
  if (opts.keepCsrKey && !Array.isArray(sel)) throw invalid('--keep-csr-key re-signs keys the vault did not make: name each node (`cluster-trust renew NODE --keep-csr-key`), not --due, --all or --old-ca');
  const inv = ctx.vault.read();
  activeCaRecord(inv);
  let names = select(inv, sel, ctx.now(), withinDays, warnDaysOf(ctx));
  // Nodes that make their own key are renewed over SSH: the node re-uses or remakes its key there.
  const onNode = names.filter((n) => findNode(inv, n).keyOnNode);
  names = names.filter((n) => !onNode.includes(n));
  // A key the vault did not make came in a CSR: re-signing it for the node's names is only done when asked by name.
  const csrKeys = mode === 'rekey' || opts.keepCsrKey ? [] : names.filter((n) => !latestCert(inv, n)!.hasKey && !compromised(latestCert(inv, n)!));
  const how = (list: string) => `renew by name with \`cluster-trust renew ${list} --keep-csr-key\` to re-sign that key (only if you know the node made it), or with --rekey for a new key from the vault`;
  if (csrKeys.length && Array.isArray(sel)) {
    const list = csrKeys.join(', ');
    throw new UserError('refused', `the certificate of ${list} was signed from a CSR, so the vault did not make the key: ${how(csrKeys.length === 1 ? list : 'NODE')}; nothing was renewed`);
  }
  // A scheduled batch still renews every other node: one CSR node must not hold the rest back.
  for (const n of csrKeys) opts.onSkipped?.(n, `its certificate was signed from a CSR, so the vault did not make the key: ${how(n)}`);
  names = names.filter((n) => !csrKeys.includes(n));
  if (names.length === 0 && onNode.length === 0) return [];
  if (opts.requireSshTarget) {
    const missing = names.filter((n) => !findNode(inv, n).ssh);
    if (missing.length) {
      throw new UserError('refused', `${missing.join(', ')} ha${missing.length === 1 ? 's' : 've'} no SSH target to push to (\`cluster-trust node edit NAME --ssh user@host\`); nothing was renewed`);
    }
  }
  const plans = new Map<string, LeafPlan>();
  const previous = new Map<string, CertRecord>();
  for (const name of names) {
    const node = findNode(inv, name);
    const prev = latestCert(inv, name)!;
    previous.set(name, prev);
    const keep = mode === 'keep-key' || (mode === 'auto' && !prev.hasKey && !compromised(prev));
    if (keep && compromised(prev)) throw new UserError('refused', `the key of "${name}" was revoked as compromised: renew it with a new key (--rekey)`);
    const days = opts.days ?? previousDays(prev);
    plans.set(name, keep
      ? { days, existingKey: await existingKey(ctx, inv, prev) }
      : { days, keyType: (opts.keyType as KeyType | undefined) ?? node.keyType ?? prev.keyType });
  }
  const issued = names.length ? await issueForNodes(ctx, names, { plans, action: 'renew', onProgress: opts.onProgress }) : [];
  const renewed = issued.map((i) => ({ ...i, previousSerial: previous.get(i.node)!.serial, keptKey: !!plans.get(i.node)!.existingKey }));
  if (onNode.length) renewed.push(...(await renewOnNodes(ctx, inv, onNode, mode, opts)));
  return renewed;
}

/** Renews nodes that make their own key: over SSH, keeping the node's key unless rekey (or it was compromised). */
async function renewOnNodes(ctx: CoreContext, inv: Inventory, names: string[], mode: KeyMode, opts: RenewOptions): Promise<Renewed[]> {
  const previous = new Map(names.map((n) => [n, latestCert(inv, n)!]));
  const keepFor = (node: NodeRecord): KeyChoice => {
    const prev = previous.get(node.name)!;
    if (mode === 'keep-key') return 'keep';
    return mode === 'rekey' || !prev.keyOnNode || compromised(prev) ? 'new' : 'keep';
  };
  for (const n of names) {
    if (mode === 'keep-key' && compromised(previous.get(n)!)) throw new UserError('refused', `the key of "${n}" was revoked as compromised: renew it with a new key (--rekey)`);
  }
  const results = await issueOnNodes(
    ctx,
    names.map((n) => findNode(inv, n)),
    {
      ...opts.onNode,
      key: keepFor,
      action: 'renew',
      ...(opts.keyType !== undefined ? { keyType: opts.keyType } : {}),
      daysFor: new Map(names.map((n) => [n, opts.days ?? previousDays(previous.get(n)!)])),
    },
    opts.onNodeEvent,
  );
  const renewed: Renewed[] = [];
  for (const r of results) {
    if (r.issued) renewed.push({ ...r.issued, previousSerial: previous.get(r.node)!.serial, keptKey: r.keptKey });
    else opts.onFailed?.(r.node, r.error?.message ?? 'failed');
  }
  // A caller that cannot list failures (the app) gets them as the error, after the others were recorded.
  const failure = opts.onFailed ? null : onNodeFailures(results, `${renewed.length} renewed over SSH`);
  if (failure) throw failure;
  return renewed;
}
