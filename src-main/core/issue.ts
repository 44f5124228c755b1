import { X509Certificate } from 'node:crypto';
import { issueLeaf, checkDays } from '../pki/certificates.ts';
import { fingerprintSha256 } from '../pki/inspect.ts';
import { parseCsr } from '../pki/csr.ts';
import { normalizeDnsName, normalizeIp, unique, checkNodeName } from '../pki/names.ts';
import { DEFAULT_KEY_TYPE, LEAF_DEFAULT_DAYS, LEAF_MAX_DAYS, isKeyType, type KeyType } from '../pki/policy.ts';
import { audit } from '../vault/audit.ts';
import { activeCaRecord, unlockCa, type UnlockedCa } from './ca.ts';
import { findNode } from './nodes.ts';
import { sansFor } from './node-sans.ts';
import { ekuOf } from '../profiles/index.ts';
import { indexInventory } from './inventory-index.ts';
import { makeLeaves } from './leaf-pool.ts';
import type { LeafJob, LeafOutput } from './leaf-work.ts';
import { invalid, UserError } from '../errors.ts';
import type { CoreContext } from './context.ts';
import type { CertRecord, Inventory, NodeRecord, Pack } from '../vault/schema.ts';
import type { NodeScope } from '../vault/node-scope.ts';
import type { Transaction } from '../vault/vault.ts';

export interface IssueOptions {
  days?: number;
  keyType?: string;
  /** Called after each certificate is made (before the batch is written). */
  onProgress?: (done: number, total: number, node: string) => void;
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

interface Made {
  record: CertRecord;
  cert: string;
  key: string | null;
}

/** What the compute pool needs to make a node's certificate: plain data, no vault. */
function leafJob(node: NodeRecord, opts: IssueOptions, nowMs: number): LeafJob {
  const plan = opts.plans?.get(node.name);
  const existing = plan?.existingKey;
  // The vault must never make (and hold) the key of a node that makes its own.
  if (node.keyOnNode && !existing) {
    throw new UserError('refused', `node "${node.name}" makes its key on the node: issue and renew it with \`cluster-trust issue ${node.name}\` / \`renew ${node.name}\`, which work over SSH`);
  }
  const days = plan?.days ?? opts.days;
  return {
    commonName: node.name,
    ...sansFor(node),
    ...ekuOf(node),
    ...(days !== undefined ? { days } : {}),
    keyType: existing?.keyType ?? plan?.keyType ?? pickKeyType(node, opts.keyType),
    nowMs,
    ...(existing ? { existing: { spki: existing.publicKeyDer, pkcs8: existing.pkcs8Der } } : {}),
  };
}

function madeOf(ca: UnlockedCa, node: NodeRecord, job: LeafJob, leaf: LeafOutput): Made {
  return {
    cert: leaf.certPem,
    key: leaf.sealedKey,
    record: {
      serial: leaf.serial,
      node: node.name,
      nodeId: node.id,
      caId: ca.record.id,
      fingerprint: leaf.fingerprint,
      // As encoded in the certificate (whole seconds), so status and `openssl x509` agree.
      notBefore: new Date(leaf.notBeforeMs).toISOString(),
      notAfter: new Date(leaf.notAfterMs).toISOString(),
      dns: job.dns,
      ips: job.ips,
      server: job.server,
      client: job.client,
      keyType: job.keyType,
      issuedAt: new Date(job.nowMs).toISOString(),
      pack: '',
      hasKey: leaf.sealedKey !== null,
      ...(node.keyOnNode && leaf.sealedKey === null ? { keyOnNode: true } : {}),
      status: 'active',
    },
  };
}

/** Marks a node's earlier live certificates superseded and records the new ones, all in one write. */
function record(inv: { certs: CertRecord[] }, made: Made[], packId: string): void {
  // By node record id: a stand-alone CSR certificate (no id) supersedes nothing, whatever its name.
  const renewed = new Set(made.flatMap((m) => (m.record.nodeId ? [m.record.nodeId] : [])));
  for (const c of inv.certs) if (c.status === 'active' && c.nodeId && renewed.has(c.nodeId)) c.status = 'superseded';
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
  const wanted = names === 'all' ? ctx.vault.read().nodes.map((n) => n.name) : unique(names);
  if (wanted.length === 0) throw invalid(names === 'all' ? 'there are no nodes to issue for; add one with `node add`' : 'name at least one node, or use --all', names === 'all' ? 'there are no nodes to issue for; add one with Add node' : 'choose at least one node');
  // A few named nodes: only their records are read and rewritten (Vault.updateNodes); --all: the whole inventory.
  const snapshot: NodeScope = names === 'all' ? ctx.vault.read() : ctx.vault.readNodes(wanted);
  const caRec = activeCaRecord(snapshot);
  const nodes = wanted.map((n) => findNode(snapshot, n)); // O(1) each on the read snapshot
  // Before minutes of key generation, not after: a read-only vault would refuse the result anyway.
  ctx.vault.assertWritable();
  const nowMs = ctx.now().getTime();
  const jobs = nodes.map((node) => leafJob(node, opts, nowMs));
  const ca = await unlockCa(ctx, caRec);
  let done = 0;
  const leaves = await makeLeaves(ca, jobs, { onEach: (i) => opts.onProgress?.(++done, nodes.length, nodes[i]!.name) });
  const made = leaves.map((leaf, i) => madeOf(ca, nodes[i]!, jobs[i]!, leaf));
  const land = (inv: NodeScope, tx: Transaction) => {
    // The inventory may have moved since the snapshot: refuse rather than issue for a stale node.
    if (activeCaRecord(inv).id !== caRec.id) throw new UserError('conflict', 'the active CA changed while issuing; run the command again');
    const index = indexInventory(inv);
    for (const n of nodes) {
      const current = index.node(n.name) ?? findNode(inv, n.name);
      if (JSON.stringify(current) !== JSON.stringify(n)) throw new UserError('conflict', `node "${n.name}" changed while issuing; run the command again`);
    }
    record(inv, made, tx.writePack(toPack(made)));
  };
  await (names === 'all' ? ctx.vault.update(land) : ctx.vault.updateNodes(wanted, land));
  audit(ctx, made.map((m) => ({ action: opts.action ?? 'issue', node: m.record.node, serial: m.record.serial, fingerprint: m.record.fingerprint, detail: `${m.record.keyOnNode ? 'key made on node, ' : ''}until ${m.record.notAfter}` })));
  return made.map((m) => ({ node: m.record.node, serial: m.record.serial, fingerprint: m.record.fingerprint, notAfter: m.record.notAfter, dns: m.record.dns, ips: m.record.ips }));
}

export interface SignCsrOptions {
  days?: number;
  client?: boolean;
  server?: boolean;
  /** Override the SANs (both lists replace the CSR's, or the node's, when either is given). */
  dns?: string[];
  ips?: string[];
  /**
   * Sign for this inventory node: the certificate gets the node's names and replaces its current one.
   * Without it the certificate stands alone: it names, replaces and renews no node.
   */
  name?: string;
}

export interface SignedCsr {
  certPem: string;
  issued: Issued;
  /** True when no node was named: the certificate is nobody's current certificate. */
  standalone: boolean;
}

/** A stand-alone certificate's label (history, CRLs, audit): the CSR's CN or first SAN, held to the node name rules. */
function standaloneLabel(commonName: string, dns: string[], ips: string[]): string {
  const label = commonName || dns[0] || ips[0] || '';
  if (!label) throw invalid('the CSR has no common name or names: sign it for a node with --name NODE');
  try {
    return checkNodeName(label);
  } catch {
    throw invalid(`the CSR's common name "${label.slice(0, 64)}" is not a usable name (1-63 letters, digits, dots, hyphens or underscores): sign it for a node with --name NODE`);
  }
}

function csrNode(inv: Inventory, name: string): NodeRecord {
  const node = inv.nodes.find((n) => n.name === checkNodeName(name));
  if (!node) throw new UserError('not-found', `no node named "${name}": add it with \`cluster-trust node add\` first, or leave out --name to sign a stand-alone certificate`);
  return node;
}

/**
 * Signs a CSR made elsewhere (the node keeps its key): Hoster's recipe, without the openssl. Whatever
 * the CSR's CN says, only an explicit node name makes the certificate a node's.
 */
export async function signCsr(ctx: CoreContext, csrPem: string, opts: SignCsrOptions = {}): Promise<SignedCsr> {
  const days = checkDays(opts.days ?? LEAF_DEFAULT_DAYS, LEAF_MAX_DAYS, 'node certificates');
  const csr = await parseCsr(csrPem);
  const snapshot = ctx.vault.read();
  const node = opts.name !== undefined ? csrNode(snapshot, opts.name) : undefined;
  const override = opts.dns !== undefined || opts.ips !== undefined;
  const asked = override ? { dns: opts.dns ?? [], ips: opts.ips ?? [] } : node ? sansFor(node) : csr;
  const dns = unique(asked.dns.map(normalizeDnsName));
  const ips = unique(asked.ips.map(normalizeIp));
  // Hoster's recipe puts the node's IP in the CN; carry such a CN over as a SAN, as clients only read SANs.
  if (!override && !node && dns.length + ips.length === 0 && csr.commonName) {
    try {
      ips.push(normalizeIp(csr.commonName));
    } catch {
      dns.push(normalizeDnsName(csr.commonName));
    }
  }
  const name = node ? node.name : standaloneLabel(csr.commonName, dns, ips);
  const explicitEku = opts.server !== undefined || opts.client !== undefined;
  const server = explicitEku ? opts.server ?? !opts.client : node ? node.server : true;
  const client = explicitEku ? Boolean(opts.client) : node ? node.client : false;
  ctx.vault.assertWritable();
  const ca = await unlockCa(ctx, activeCaRecord(snapshot));
  const leaf = await issueLeaf(ca, { commonName: node ? node.name : csr.commonName || name, dns, ips, server, client, days, publicKey: csr.publicKeyDer, now: ctx.now() });
  const parsed = new X509Certificate(leaf.certPem);
  const fingerprint = fingerprintSha256(parsed.raw);
  const rec: CertRecord = {
    serial: leaf.serial,
    node: name,
    ...(node ? { nodeId: node.id } : {}),
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
  await ctx.vault.update((inv, tx) => {
    // The named node must still be the same record (not removed, re-added or edited) when this lands.
    if (node && JSON.stringify(inv.nodes.find((n) => n.id === node.id)) !== JSON.stringify(node)) {
      throw new UserError('conflict', `node "${node.name}" changed while signing; run the command again`);
    }
    record(inv, made, tx.writePack(toPack(made)));
  });
  audit(ctx, { action: 'sign-csr', node: name, serial: rec.serial, fingerprint, detail: `${node ? 'for the node' : 'stand-alone'}, until ${rec.notAfter}` });
  return { certPem: leaf.certPem, issued: { node: name, serial: rec.serial, fingerprint, notAfter: rec.notAfter, dns, ips }, standalone: !node };
}
