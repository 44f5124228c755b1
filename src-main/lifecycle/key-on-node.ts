import { X509Certificate } from 'node:crypto';
import { issueForNodes, type Issued } from '../core/issue.ts';
import { activeCaRecord, unlockCa } from '../core/ca.ts';
import { latestCert } from '../core/nodes.ts';
import { checkNodeCsr } from '../core/node-csr.ts';
import { UserError, invalid, toUserError } from '../errors.ts';
import { spkiOf } from '../pki/keys.ts';
import { DEFAULT_KEY_TYPE, isKeyType, type KeyType } from '../pki/policy.ts';
import { installDirOf } from '../profiles/index.ts';
import { keychainKeyPassphrases } from '../ssh/key-passphrases.ts';
import { KeyRing, type AuthOptions } from '../ssh/auth.ts';
import { abortError, type SshSession } from '../ssh/connection.ts';
import { connectWithRetries, nodeBudget, type NodeBudget } from '../ssh/connect-node.ts';
import { defaultHostKeyFiles, type HostKeyFiles, type UnknownHostKeyHandler } from '../ssh/host-keys.ts';
import { remoteLayout } from '../ssh/layout.ts';
import { discardStaged, keepStagedKey, keyDirOf, makeKeyOnNode, NODE_KEY_FILE, nodeKeyId } from '../ssh/node-key.ts';
import { runPool } from '../ssh/pool.ts';
import { parseOwnerSpec, resolveOwner } from '../ssh/remote-commands.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from '../ssh/push.ts';
import type { CoreContext } from '../core/context.ts';
import type { CertRecord, NodeRecord } from '../vault/schema.ts';

/**
 * Issue and renew for nodes that make their own key (`node edit NAME --key-on-node`): over SSH the
 * node's openssl makes the key (or re-uses its current one) in the staging area beside its install
 * folder, only the CSR comes back, it is checked and signed with the inventory's names, and the
 * certificate is recorded without a key. `push` later links that key into the new bundle version.
 */

export type OnNodePhase = 'queued' | 'connecting' | 'making key' | 'signing' | 'done' | 'failed' | 'cancelled';

export interface OnNodeEvent {
  node: string;
  phase: OnNodePhase;
  message?: string;
  attempt?: number;
}

export type KeyChoice = 'new' | 'keep';

export interface OnNodeOptions {
  /** 'new': a new key on the node; 'keep': a CSR from the key its current certificate has (per node, or for all). */
  key: KeyChoice | ((node: NodeRecord) => KeyChoice);
  keyType?: string;
  /** Lifetime per node (renewal keeps each node's), else this, else the policy default. */
  days?: number;
  daysFor?: Map<string, number>;
  action?: 'issue' | 'renew';
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  acceptNewHostKeys?: boolean;
  onUnknownHostKey?: UnknownHostKeyHandler;
  /** Owner of the key for nodes without their own `--owner` (as push would own it). */
  owner?: string;
  auth?: AuthOptions;
  hostKeyFiles?: HostKeyFiles;
  signal?: AbortSignal;
}

export interface OnNodeResult {
  node: string;
  issued: Issued | null;
  keptKey: boolean;
  /** Where the key lives on the node. */
  keyPath: string | null;
  error: { code: string; message: string } | null;
}

interface Shared {
  ctx: CoreContext;
  opts: OnNodeOptions;
  ring: KeyRing;
  hostKeys: HostKeyFiles;
  emit: (e: OnNodeEvent) => void;
  signal: AbortSignal;
}

function wantedKeyType(node: NodeRecord, opts: OnNodeOptions, keep: boolean, previous: CertRecord | undefined): KeyType {
  if (keep && previous) return previous.keyType;
  if (opts.keyType !== undefined) {
    if (!isKeyType(opts.keyType)) throw invalid(`unknown key type "${opts.keyType}"`);
    return opts.keyType;
  }
  return node.keyType ?? previous?.keyType ?? DEFAULT_KEY_TYPE;
}

/** The SPKI of a recorded certificate (the key a renewal keeps). */
function spkiOfCert(ctx: CoreContext, cert: CertRecord): Buffer {
  const entry = ctx.vault.readPack(cert.pack).certs[cert.serial];
  if (!entry) throw new UserError('vault-corrupt', `certificate ${cert.serial} is missing from the vault`);
  return spkiOf(new X509Certificate(entry.cert).publicKey);
}

async function onNode(shared: Shared, node: NodeRecord): Promise<OnNodeResult> {
  const { ctx, opts } = shared;
  const name = node.name;
  const emit = (e: Omit<OnNodeEvent, 'node'>): void => shared.emit({ node: name, ...e });
  const fail = (err: unknown, phase: string, ctl?: NodeBudget): OnNodeResult => {
    let e = toUserError(err);
    if (ctl?.signal.aborted && !/timed out|cancelled/.test(e.message)) e = abortError(ctl.signal, phase);
    const cancelled = e.code === 'cancelled';
    emit({ phase: cancelled ? 'cancelled' : 'failed', message: e.message });
    return { node: name, issued: null, keptKey: false, keyPath: null, error: { code: e.code, message: e.message } };
  };
  if (!node.ssh) return fail(invalid(`node "${name}" has no SSH target: set one with \`cluster-trust node edit ${name} --ssh user@host[:port]\``), 'starting');
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let session: SshSession | null = null;
  const ctl = nodeBudget(shared.signal, timeoutMs, () => session);
  let phase = 'connecting';
  try {
    const previous = latestCert(ctx.vault.read(), name);
    const keep = (typeof opts.key === 'function' ? opts.key(node) : opts.key) === 'keep';
    if (keep && !previous) throw new UserError('not-found', `node "${name}" has no certificate whose key could be kept: run \`cluster-trust issue ${name}\``);
    if (keep && !previous!.keyOnNode) throw new UserError('refused', `the current key of "${name}" was not made on the node: renew it with --rekey to make one there`);
    const keyType = wantedKeyType(node, opts, keep, previous);
    emit({ phase: 'connecting', attempt: 1 });
    session = await connectWithRetries(
      { ...opts, ring: shared.ring, hostKeys: shared.hostKeys },
      node,
      ctl.signal,
      ctl.deadline,
      () => undefined,
      (attempt, message) => emit({ phase: 'connecting', attempt, message }),
    );
    const s = session;
    const layout = remoteLayout(installDirOf(node));
    const ownerSpec = node.owner ?? opts.owner;
    const owner = ownerSpec ? await resolveOwner(s, ownerSpec) : null;
    phase = 'making the key';
    emit({ phase: 'making key', message: keep ? 'CSR from the node\'s current key' : `new ${keyType} key` });
    const keptSpki = keep ? spkiOfCert(ctx, previous!) : null;
    const made = await makeKeyOnNode(s, layout, {
      commonName: name,
      key: keptSpki ? { keep: [`${keyDirOf(layout, nodeKeyId(keptSpki))}/${NODE_KEY_FILE}`, `${layout.dest}/${NODE_KEY_FILE}`] } : { make: keyType },
      owner,
    });
    phase = 'signing';
    emit({ phase: 'signing' });
    let undo: () => Promise<void> = () => discardStaged(s, made);
    try {
      const csr = await checkNodeCsr(node, made.csrPem, made.publicKeyPem, keyType);
      if (keptSpki && !csr.publicKeyDer.equals(keptSpki)) throw new UserError('refused', `the key on node "${name}" is not the one its certificate ${previous!.serial} has; nothing was signed (renew with --rekey for a new key)`);
      const keyId = nodeKeyId(csr.publicKeyDer);
      undo = await keepStagedKey(s, layout, made, keyId);
      if (ctl.signal.aborted) throw abortError(ctl.signal, phase);
      const days = opts.daysFor?.get(name) ?? opts.days;
      const [issued] = await issueForNodes(ctx, [name], {
        action: opts.action ?? 'issue',
        plans: new Map([[name, { ...(days !== undefined ? { days } : {}), existingKey: { publicKeyDer: Uint8Array.from(csr.publicKeyDer).buffer, keyType, pkcs8Der: null } }]]),
      });
      s.close();
      session = null;
      const keyPath = `${keyDirOf(layout, keyId)}/${NODE_KEY_FILE}`;
      emit({ phase: 'done', message: `serial ${issued!.serial}; key at ${keyPath}` });
      return { node: name, issued: issued!, keptKey: keep, keyPath, error: null };
    } catch (err) {
      // Nothing recorded in the vault: nothing of this run stays on the node either.
      await undo().catch(() => undefined);
      throw err;
    }
  } catch (err) {
    return fail(err, phase, ctl);
  } finally {
    ctl.dispose();
    session?.destroy();
  }
}

/** One error for the nodes that failed (their certificates were not recorded); null when none did. */
export function onNodeFailures(results: OnNodeResult[], done: string): UserError | null {
  const failed = results.filter((r) => !r.issued);
  if (!failed.length) return null;
  const list = failed.map((r) => `${r.node}: ${r.error?.message ?? 'failed'}`).join('; ');
  return new UserError(failed[0]!.error?.code === 'cancelled' ? 'cancelled' : 'refused', `${done}; ${failed.length} node${failed.length === 1 ? '' : 's'} making ${failed.length === 1 ? 'its' : 'their'} key on the node failed: ${list}`);
}

/**
 * Makes keys on the nodes and records their certificates, many nodes at once. Never throws for one
 * node's failure (that is in its result); throws only when the request itself is wrong.
 */
export async function issueOnNodes(ctx: CoreContext, nodes: NodeRecord[], opts: OnNodeOptions, onEvent: (e: OnNodeEvent) => void = () => {}): Promise<OnNodeResult[]> {
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw invalid('concurrency must be a whole number from 1 to 256');
  if (opts.keyType !== undefined && !isKeyType(opts.keyType)) throw invalid(`unknown key type "${opts.keyType}"`);
  if (opts.owner !== undefined) parseOwnerSpec(opts.owner);
  const signal = opts.signal ?? new AbortController().signal;
  const emit = (e: OnNodeEvent): void => {
    try {
      onEvent(e);
    } catch {
      // A listener's bug must not break the batch half way.
    }
  };
  const shared: Shared = {
    ctx,
    opts,
    ring: new KeyRing({ saved: keychainKeyPassphrases(ctx.keychain), ...opts.auth }),
    hostKeys: opts.hostKeyFiles ?? defaultHostKeyFiles(ctx.vault.home),
    emit,
    signal,
  };
  for (const n of nodes) emit({ node: n.name, phase: 'queued' });
  // The CA must open before any node is touched: without it nothing can be signed.
  ctx.vault.assertWritable();
  await unlockCa(ctx, activeCaRecord(ctx.vault.read()));
  // Encrypted SSH key files are unlocked now, before any node's timer starts.
  await shared.ring.unlockAhead(nodes.flatMap((n) => (n.ssh?.keyFile ? [n.ssh.keyFile] : [])));
  return runPool(
    nodes,
    concurrency,
    (node) => onNode(shared, node),
    (node) => {
      emit({ node: node.name, phase: 'cancelled', message: 'cancelled before it started' });
      return { node: node.name, issued: null, keptKey: false, keyPath: null, error: { code: 'cancelled', message: 'cancelled before it started' } };
    },
    signal,
  );
}
