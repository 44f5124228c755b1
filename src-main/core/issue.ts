import { X509Certificate } from 'node:crypto';
import { issueLeaf, checkDays } from '../pki/certificates.ts';
import { generateKeyDer } from '../pki/keys.ts';
import { fingerprintSha256 } from '../pki/inspect.ts';
import { parseCsr } from '../pki/csr.ts';
import { normalizeDnsName, normalizeIp, unique, checkNodeName } from '../pki/names.ts';
import { DEFAULT_KEY_TYPE, LEAF_DEFAULT_DAYS, LEAF_MAX_DAYS, isKeyType, type KeyType } from '../pki/policy.ts';
import { sealNodeKey } from '../keychain/node-keys.ts';
import { audit } from '../lifecycle/audit.ts';
import { activeCaRecord, unlockCa, type UnlockedCa } from './ca.ts';
import { findNode, sansFor } from './nodes.ts';
import { invalid, UserError } from './errors.ts';
import type { CoreContext } from './context.ts';
import type { CertRecord, NodeRecord, Pack } from '../vault/schema.ts';

export interface IssueOptions {
  days?: number;
  keyType?: string;
  /** Called after each certificate is made (before the batch is written). */
  onProgress?: (done: number, total: number, node: string) => void;
  /** How many keys are generated and signed at once; WebCrypto runs them on libuv's thread pool. */
  parallel?: number;
  /** Per-node choices made by a renewal (key type, lifetime, or an existing key to re-sign). */
  plans?: Map<string, LeafPlan>;
  /** What the audit log calls this operation. */
  action?: 'issue' | 'renew';
}

/** How one node's certificate is made when a renewal decides it, instead of the batch options. */
export interface LeafPlan {
  keyType?: KeyType;
  days?: number;
  /** Re-sign this public key (`renew --keep-key`); its private key, if the vault holds it, is re-sealed. */
  existingKey?: { publicKeyDer: ArrayBuffer; keyType: KeyType; pkcs8Der: Buffer | null };
}

export interface Issued {
  node: string;
  serial: string;
  fingerprint: string;
  notAfter: string;
  dns: string[];
  ips: string[];
}

function pickKeyType(node: NodeRecord, override?: string): KeyType {
  if (override !== undefined) {
    if (!isKeyType(override)) throw invalid(`unknown key type "${override}"`);
    return override;
  }
  return node.keyType ?? DEFAULT_KEY_TYPE;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return results;
}

interface Made {
  record: CertRecord;
  cert: string;
  key: string | null;
}

async function makeLeaf(ctx: CoreContext, ca: UnlockedCa, node: NodeRecord, opts: IssueOptions): Promise<Made> {
  const plan = opts.plans?.get(node.name);
  const existing = plan?.existingKey;
  const keyType = existing?.keyType ?? plan?.keyType ?? pickKeyType(node, opts.keyType);
  // Key pairs come as DER straight from the thread pool: no main-thread export per key.
  const key = existing ? null : await generateKeyDer(keyType);
  const sans = sansFor(node);
  const publicKey = existing ? existing.publicKeyDer : key!.spki;
  const leaf = await issueLeaf(ca, { commonName: node.name, ...sans, server: node.server, client: node.client, days: plan?.days ?? opts.days, publicKey, now: ctx.now() });
  // A kept key is re-sealed under the issuing CA's key, which may be a new CA after a rotation.
  const pkcs8 = existing ? existing.pkcs8Der : key!.pkcs8;
  const sealed = pkcs8 ? sealNodeKey(ca.kek, pkcs8) : null;
  return {
    cert: leaf.certPem,
    key: sealed,
    record: {
      serial: leaf.serial,
      node: node.name,
      caId: ca.record.id,
      fingerprint: fingerprintSha256(leaf.der),
      // As encoded in the certificate (whole seconds), so status and `openssl x509` agree.
      notBefore: leaf.notBefore.toISOString(),
      notAfter: leaf.notAfter.toISOString(),
      ...sans,
      server: node.server,
      client: node.client,
      keyType,
      issuedAt: ctx.now().toISOString(),
      pack: '',
      hasKey: sealed !== null,
      status: 'active',
    },
  };
}

/** Marks a node's earlier live certificates superseded and records the new ones, all in one write. */
function record(inv: { certs: CertRecord[] }, made: Made[], packId: string): void {
  const renewed = new Set(made.map((m) => m.record.node));
  for (const c of inv.certs) if (c.status === 'active' && renewed.has(c.node)) c.status = 'superseded';
  for (const m of made) inv.certs.push({ ...m.record, pack: packId });
}

function toPack(made: Made[]): Pack {
  return { certs: Object.fromEntries(made.map((m) => [m.record.serial, { cert: m.cert, key: m.key }])) };
}

/**
 * Issues (or renews) certificates for nodes. Everything is made in memory first and then written
 * in one vault transaction: a crash leaves either none or all of the batch.
 */
export async function issueForNodes(ctx: CoreContext, names: string[] | 'all', opts: IssueOptions = {}): Promise<Issued[]> {
  if (opts.days !== undefined) checkDays(opts.days, LEAF_MAX_DAYS, 'node certificates');
  if (opts.keyType !== undefined && !isKeyType(opts.keyType)) throw invalid(`unknown key type "${opts.keyType}"`);
  const snapshot = ctx.vault.read();
  const caRec = activeCaRecord(snapshot);
  const wanted = names === 'all' ? snapshot.nodes.map((n) => n.name) : unique(names);
  if (wanted.length === 0) throw invalid(names === 'all' ? 'there are no nodes to issue for; add one with `node add`' : 'name at least one node, or use --all', names === 'all' ? 'there are no nodes to issue for; add one with Add node' : 'choose at least one node');
  const nodes = wanted.map((n) => findNode(snapshot, n));
  // Before minutes of key generation, not after: a read-only vault would refuse the result anyway.
  ctx.vault.assertWritable();
  const ca = await unlockCa(ctx, caRec);
  let done = 0;
  const made = await mapLimit(nodes, opts.parallel ?? 16, async (node) => {
    const m = await makeLeaf(ctx, ca, node, opts);
    opts.onProgress?.(++done, nodes.length, node.name);
    return m;
  });
  await ctx.vault.update((inv, tx) => {
    // The inventory may have moved since the snapshot: refuse rather than issue for a stale node.
    if (activeCaRecord(inv).id !== caRec.id) throw new UserError('conflict', 'the active CA changed while issuing; run the command again');
    for (const n of nodes) {
      const current = findNode(inv, n.name);
      if (JSON.stringify(current) !== JSON.stringify(n)) throw new UserError('conflict', `node "${n.name}" changed while issuing; run the command again`);
    }
    record(inv, made, tx.writePack(toPack(made)));
  });
  audit(ctx, made.map((m) => ({ action: opts.action ?? 'issue', node: m.record.node, serial: m.record.serial, fingerprint: m.record.fingerprint, detail: `until ${m.record.notAfter}` })));
  return made.map((m) => ({ node: m.record.node, serial: m.record.serial, fingerprint: m.record.fingerprint, notAfter: m.record.notAfter, dns: m.record.dns, ips: m.record.ips }));
}

export interface SignCsrOptions {
  days?: number;
  client?: boolean;
  server?: boolean;
  /** Override the CSR's SANs (both lists replace the CSR's when either is given). */
  dns?: string[];
  ips?: string[];
  /** Record under this name (defaults to the CSR's CN). */
  name?: string;
}

/** Signs a CSR made elsewhere (the node keeps its key): Hoster's recipe, without the openssl. */
export async function signCsr(ctx: CoreContext, csrPem: string, opts: SignCsrOptions = {}): Promise<{ certPem: string; issued: Issued }> {
  const days = checkDays(opts.days ?? LEAF_DEFAULT_DAYS, LEAF_MAX_DAYS, 'node certificates');
  const csr = await parseCsr(csrPem);
  const override = opts.dns !== undefined || opts.ips !== undefined;
  const dns = unique((override ? opts.dns ?? [] : csr.dns).map(normalizeDnsName));
  const ips = unique((override ? opts.ips ?? [] : csr.ips).map(normalizeIp));
  // Hoster's recipe puts the node's IP in the CN; carry such a CN over as a SAN, as clients only read SANs.
  if (!override && dns.length + ips.length === 0 && csr.commonName) {
    try {
      ips.push(normalizeIp(csr.commonName));
    } catch {
      dns.push(normalizeDnsName(csr.commonName));
    }
  }
  const name = opts.name !== undefined ? checkNodeName(opts.name) : csr.commonName || dns[0] || ips[0] || '';
  if (!name || name.length > 64) throw invalid('the CSR has no usable common name', { cli: 'give the node name with --name', app: 'type the node name in “Record as node”' });
  const server = opts.server ?? !opts.client;
  const client = Boolean(opts.client);
  const snapshot = ctx.vault.read();
  const ca = await unlockCa(ctx, activeCaRecord(snapshot));
  const leaf = await issueLeaf(ca, { commonName: csr.commonName || name, dns, ips, server, client, days, publicKey: csr.publicKeyDer, now: ctx.now() });
  const parsed = new X509Certificate(leaf.certPem);
  const fingerprint = fingerprintSha256(parsed.raw);
  const rec: CertRecord = {
    serial: leaf.serial,
    node: name,
    caId: ca.record.id,
    fingerprint,
    notBefore: new Date(parsed.validFrom).toISOString(),
    notAfter: new Date(parsed.validTo).toISOString(),
    dns,
    ips,
    server,
    client,
    keyType: csr.keyType,
    issuedAt: ctx.now().toISOString(),
    pack: '',
    hasKey: false,
    status: 'active',
  };
  const made: Made[] = [{ record: rec, cert: leaf.certPem, key: null }];
  await ctx.vault.update((inv, tx) => record(inv, made, tx.writePack(toPack(made))));
  audit(ctx, { action: 'sign-csr', node: name, serial: rec.serial, fingerprint, detail: `until ${rec.notAfter}` });
  return { certPem: leaf.certPem, issued: { node: name, serial: rec.serial, fingerprint, notAfter: rec.notAfter, dns, ips } };
}

