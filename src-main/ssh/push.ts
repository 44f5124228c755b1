import { buildNodeBundle, type NodeBundle } from '../core/bundle.ts';
import { trustedCaPems } from '../core/ca.ts';
import { findNode } from '../core/nodes.ts';
import { UserError, invalid, toUserError, type ErrorCode, type Fix } from '../errors.ts';
import { installDirOf, verifyPortOf } from '../profiles/index.ts';
import type { CoreContext } from '../core/context.ts';
import type { NodeRecord } from '../vault/schema.ts';
import { keychainKeyPassphrases } from './key-passphrases.ts';
import { KeyRing, type AuthOptions } from './auth.ts';
import { abortError, type SshSession } from './connection.ts';
import { connectWithRetries, DEFAULT_RETRIES, nodeBudget } from './connect-node.ts';
import { defaultHostKeyFiles, type HostKeyFiles, type UnknownHostKeyHandler } from './host-keys.ts';
import { checkInstallable, clearPendingRestart, installBundle, remoteError } from './install.ts';
import { remoteLayout } from './layout.ts';
import { buildManifest, filesToPush, type Owner } from './manifest.ts';
import { carriedKeyId } from './bundle-key.ts';
import { keyToCarry, pruneKeyDirs, withCarriedKey } from './node-key.ts';
import { runPool } from './pool.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from './defaults.ts';
import { parseOwnerSpec, resolveOwner, runRestart } from './remote-commands.ts';
import { describeChanges, isUnchanged, readRemoteState, type FileChange } from './remote-state.ts';
import { trustCaOnNode } from './remote-trust.ts';
import { verifyServedCertificate, type VerifyResult } from './verify.ts';

export type PushPhase = 'queued' | 'connecting' | 'comparing' | 'uploading' | 'installing' | 'trusting' | 'restarting' | 'verifying' | 'done' | 'failed' | 'cancelled';

export interface PushEvent {
  node: string;
  phase: PushPhase;
  /** A line for a log: what happened, or why it failed. */
  message?: string;
  /** The same line in the app's words. */
  appMessage?: string;
  /** While uploading. */
  bytes?: { done: number; total: number };
  /** Connection attempt, from 1. */
  attempt?: number;
  /** Final status, on done/failed/cancelled. */
  status?: PushStatus;
}

export type PushStatus = 'updated' | 'unchanged' | 'would-update' | 'failed' | 'cancelled';

export interface PushResult {
  node: string;
  status: PushStatus;
  /** One line for people (the CLI's words). */
  message: string;
  /** The same line in the app's words (its buttons and fields instead of commands). */
  appMessage: string;
  /** What differs (or differed) from the node's current bundle. */
  changes: FileChange[];
  verify: VerifyResult | null;
  /** Where the new bundle went, and where the previous one is kept for rollback. */
  installed: string | null;
  backup: string | null;
  attempts: number;
  durationMs: number;
  /** Why it failed or was cancelled (null otherwise): the code front ends classify by. */
  error: { code: ErrorCode; message: string } | null;
}

export interface PushOptions {
  /** Nodes in flight at once (default 8). */
  concurrency?: number;
  /** Whole-node budget: connect, upload, install, restart, live check (default 60 s). */
  timeoutMs?: number;
  /** Extra connection attempts when a node cannot be reached (default 2). Nothing else is retried. */
  retries?: number;
  /** Compare only: connects and reads, writes nothing anywhere (not even accepted host keys). */
  dryRun?: boolean;
  /** Live TLS check after the push (default true). */
  verify?: boolean;
  /** Like OpenSSH's accept-new: record unknown host keys; changed keys still refuse. */
  acceptNewHostKeys?: boolean;
  /** Asked about each unknown host key (the GUI's prompt); wins over acceptNewHostKeys. */
  onUnknownHostKey?: UnknownHostKeyHandler;
  /** Also trust our CA system-wide on every node (besides those set to, `node edit --trust-ca`). */
  trustCa?: boolean;
  /**
   * Owner of the pushed files (`user`, `user:group`, `uid:gid`; names are looked up on the node),
   * e.g. the service account that reads the key, for nodes without their own (`node edit --owner`).
   * Default: the SSH user.
   */
  owner?: string;
  auth?: AuthOptions;
  hostKeyFiles?: HostKeyFiles;
  signal?: AbortSignal;
  /** Where bundles come from (default: buildNodeBundle). */
  loadBundle?: (name: string) => Promise<NodeBundle>;
}

export type PushListener = (event: PushEvent) => void;

export { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS };
export { DEFAULT_RETRIES };
const MAX_CONCURRENCY = 256;
/** The live check may wait this long for a restarted service to serve the new certificate. */
const VERIFY_WINDOW_MS = 20_000;

interface Job {
  node: NodeRecord;
  bundle: NodeBundle | null;
  prepError: UserError | null;
}

interface Shared {
  ctx: CoreContext;
  opts: PushOptions;
  ring: KeyRing;
  hostKeys: HostKeyFiles;
  caPems: string[];
  emit: PushListener;
  signal: AbortSignal;
}

function selectNodes(ctx: CoreContext, names: string[] | 'all'): NodeRecord[] {
  const inv = ctx.vault.read();
  if (names === 'all') {
    const nodes = inv.nodes.filter((n) => n.ssh);
    if (nodes.length === 0) throw invalid('no node has an SSH target yet', { cli: 'set one with `cluster-trust node edit NAME --ssh user@host`', app: 'set one in a node\'s Edit form (Push over SSH, SSH target)' });
    return nodes;
  }
  if (names.length === 0) throw invalid('name the nodes to push, or use --all', 'choose the nodes to push');
  return [...new Set(names)].map((n) => findNode(inv, n));
}

function checkOptions(opts: PushOptions): void {
  const c = opts.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(c) || c < 1 || c > MAX_CONCURRENCY) throw invalid(`concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}`);
  const t = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(t) || t < 1000 || t > 3_600_000) throw invalid('the per-node timeout must be from 1 to 3600 seconds');
  const r = opts.retries ?? DEFAULT_RETRIES;
  if (!Number.isInteger(r) || r < 0 || r > 10) throw invalid('retries must be a whole number from 0 to 10');
  if (opts.owner !== undefined) parseOwnerSpec(opts.owner);
}


function result(node: string, status: PushStatus, message: string | Notes, extra: Partial<PushResult> = {}): PushResult {
  const [cli, app] = typeof message === 'string' ? [message, message] : [message.text('cli'), message.text('app')];
  return { node, status, message: cli, appMessage: app, changes: [], verify: null, installed: null, backup: null, attempts: 0, durationMs: 0, error: null, ...extra };
}

/** A result's notes, some worded per front end (a CLI flag, or the app's field). */
class Notes {
  private readonly items: Array<string | Fix> = [];
  push(note: string | Fix): void {
    this.items.push(note);
  }
  text(front: 'cli' | 'app'): string {
    return this.items.map((n) => (typeof n === 'string' ? n : n[front])).join('; ');
  }
}

async function pushOne(shared: Shared, job: Job): Promise<PushResult> {
  const { node } = job;
  const name = node.name;
  const started = Date.now();
  const timeoutMs = shared.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = started + timeoutMs;
  let attempts = 0;
  let phase = 'connecting' as PushPhase;
  let swapped = false;
  const emit = (e: Omit<PushEvent, 'node'>): void => {
    if (e.phase !== phase && e.phase !== 'done' && e.phase !== 'failed') phase = e.phase;
    shared.emit({ node: name, ...e });
  };
  const finish = (r: PushResult): PushResult => {
    const final: PushResult = { ...r, attempts, durationMs: Date.now() - started };
    emit({ phase: final.status === 'failed' ? 'failed' : final.status === 'cancelled' ? 'cancelled' : 'done', status: final.status, message: final.message, appMessage: final.appMessage });
    return final;
  };
  if (job.prepError) return finish(result(name, 'failed', job.prepError.message, { appMessage: job.prepError.appMessage, error: { code: job.prepError.code, message: job.prepError.message } }));
  if (!node.ssh) {
    const e = invalid(`node "${name}" has no SSH target`, { cli: `set one with \`cluster-trust node edit ${name} --ssh user@host[:port]\``, app: `set one in its Edit form (Push over SSH)` });
    return finish(result(name, 'failed', e.message, { appMessage: e.appMessage, error: { code: e.code, message: e.message } }));
  }
  const bundle = job.bundle!;
  let session: SshSession | null = null;
  const ctl = nodeBudget(shared.signal, timeoutMs, () => session);
  let changes: FileChange[] = [];
  let installed: string | null = null;
  let backup: string | null = null;
  try {
    emit({ phase: 'connecting', attempt: 1 });
    session = await connectWithRetries(
      { ...shared.opts, ring: shared.ring, hostKeys: shared.hostKeys },
      node,
      ctl.signal,
      deadline,
      (n) => {
        attempts = n;
      },
      (attempt, message) => shared.emit({ node: name, phase: 'connecting', attempt, message }),
    );
    if (ctl.signal.aborted) throw abortError(ctl.signal, 'connecting');
    const s = session;
    emit({ phase: 'comparing' });
    const layout = remoteLayout(installDirOf(node));
    const ownerSpec = node.owner ?? shared.opts.owner;
    const owner: Owner | null = ownerSpec ? await resolveOwner(s, ownerSpec) : null;
    const files = filesToPush(bundle.files);
    const manifest = buildManifest({ node: name, serial: bundle.cert.serial, fingerprint: bundle.cert.fingerprint, files, owner, now: shared.ctx.now() });
    const keyId = carriedKeyId(bundle);
    const carried = keyId ? [await keyToCarry(s, layout, keyId, name)] : [];
    const read = await readRemoteState(s.sftp, layout, files, owner).catch(async (err: unknown) => {
      throw await remoteError(s, err, 'reading the current bundle', [layout.dest]);
    });
    const state = keyId ? withCarriedKey(read) : read;
    changes = state.changes;
    checkInstallable(state, layout);
    const unchanged = isUnchanged(state, manifest.bundleHash);
    if (shared.opts.dryRun) {
      const pending = state.pendingRestart && node.restart ? '; its restart command has not run since the last push' : '';
      return finish(result(name, unchanged ? 'unchanged' : 'would-update', unchanged ? `unchanged${pending}` : `would ${state.kind === 'dir' ? 'adopt the existing folder and ' : ''}change: ${describeChanges(state)}${pending}`, { changes }));
    }
    const notes = new Notes();
    if (!unchanged) {
      const installedOutcome = await installBundle({
        session: s,
        layout,
        files,
        manifest,
        owner,
        state,
        willRestart: Boolean(node.restart),
        now: shared.ctx.now(),
        onUpload: (done, total) => emit({ phase: 'uploading', bytes: { done, total } }),
        onUploaded: () => emit({ phase: 'installing' }),
        carried,
      });
      if (keyId) await pruneKeyDirs(s, layout, keyId);
      swapped = true;
      installed = installedOutcome.installed;
      backup = installedOutcome.backup;
      notes.push(`installed serial ${bundle.cert.serial}${backup ? `; previous bundle kept at ${backup}` : ''}`);
    } else {
      notes.push('unchanged');
    }
    if (shared.opts.trustCa || node.trustCa) {
      emit({ phase: 'trusting' });
      const said = await trustCaOnNode(s, node.ssh.user, shared.caPems);
      notes.push(said.every((w) => w === 'already trusted') ? 'CA already trusted' : 'CA trusted');
    }
    if (node.restart && (!unchanged || state.pendingRestart)) {
      emit({ phase: 'restarting' });
      await runRestart(s, node.restart);
      await clearPendingRestart(s.sftp, layout);
      notes.push('restarted');
    }
    s.close();
    session = null;
    let verify: VerifyResult | null = null;
    const port = verifyPortOf(node);
    if (shared.opts.verify === false) notes.push('live check skipped');
    else if (!port) notes.push({ cli: 'no live check (no verify port: `node edit NAME --verify-port PORT`)', app: 'no live check (no port to check: set “Check TLS on port” in the node\'s Edit form)' });
    else {
      emit({ phase: 'verifying' });
      verify = await verifyServedCertificate({
        host: node.ssh.host,
        port,
        caPems: shared.caPems,
        expectedFingerprint: bundle.cert.fingerprint,
        // Stop polling a little before the node's deadline so the last observation is what we report.
        deadline: Math.min(deadline - 500, Date.now() + VERIFY_WINDOW_MS),
        signal: ctl.signal,
      });
      if (shared.signal.aborted) throw abortError(shared.signal, 'checking the live certificate');
      if (!verify.ok) {
        notes.push(`but the live check failed: ${verify.message}`);
        return finish(result(name, 'failed', notes, { changes, verify, installed, backup, error: { code: 'verify-failed', message: `live check failed: ${verify.message}` } }));
      }
      notes.push(`live check OK on port ${port}`);
    }
    return finish(result(name, unchanged ? 'unchanged' : 'updated', notes, { changes: unchanged ? [] : changes, verify, installed, backup }));
  } catch (err) {
    let e = toUserError(err);
    if (ctl.signal.aborted && !(err instanceof UserError && /timed out|cancelled/.test(err.message))) e = abortError(ctl.signal, phase);
    const explained = /previous bundle|not in use/.test(e.message);
    const where = swapped
      ? `; the new bundle is installed${backup ? ` (previous kept at ${backup})` : ''}`
      : explained
        ? ''
        : phase === 'installing'
          ? '; the node has its previous bundle or the new one, never a mix'
          : phase === 'uploading'
            ? '; the node keeps its previous bundle'
            : '';
    const cancelled = e.code === 'cancelled';
    const message = `${e.message}${where}`;
    return finish(result(name, cancelled ? 'cancelled' : 'failed', message, { appMessage: `${e.appMessage}${where}`, changes, installed, backup, error: { code: e.code, message } }));
  } finally {
    ctl.dispose();
    session?.destroy();
  }
}

/** Two nodes of one push writing the same folder on the same machine would undo each other. */
function refuseSharedDestinations(jobs: Job[]): void {
  const seen = new Map<string, string>();
  for (const job of jobs) {
    const { node } = job;
    if (!node.ssh || job.prepError) continue;
    let dest: string;
    try {
      dest = remoteLayout(installDirOf(node)).dest;
    } catch (err) {
      job.prepError = toUserError(err);
      continue;
    }
    const key = `${node.ssh.host.toLowerCase()}|${node.ssh.port}|${dest}`;
    const other = seen.get(key);
    if (other) {
      const clash = `nodes "${other}" and "${node.name}" both push to ${dest} on ${node.ssh.host}:${node.ssh.port}`;
      job.prepError = invalid(`${clash}; give one of them another --dest`, `${clash}; give one of them another “Folder on the node” in its Edit form`);
    }
    else seen.set(key, node.name);
  }
}

/**
 * Pushes each node's bundle over SSH: compare with what the node has, upload beside the destination,
 * swap atomically, optionally trust the CA and restart, then check the live service. Never throws for
 * a node's failure (that is in its result); throws only when the request itself is wrong.
 */
export async function pushBundles(ctx: CoreContext, names: string[] | 'all', opts: PushOptions = {}, onEvent: PushListener = () => {}): Promise<PushResult[]> {
  checkOptions(opts);
  const nodes = selectNodes(ctx, names);
  const signal = opts.signal ?? new AbortController().signal;
  const emit: PushListener = (e) => {
    try {
      onEvent(e);
    } catch {
      // A listener's bug must not break a push half way.
    }
  };
  const inv = ctx.vault.read();
  const shared: Shared = {
    ctx,
    opts,
    // Passphrases the user kept in the keychain unlock keys for every front end (GUI, CLI, renew --push).
    ring: new KeyRing({ saved: keychainKeyPassphrases(ctx.keychain), ...opts.auth }),
    hostKeys: opts.hostKeyFiles ?? defaultHostKeyFiles(ctx.vault.home),
    caPems: inv.cas.length ? trustedCaPems(ctx, inv) : [],
    emit,
    signal,
  };
  for (const n of nodes) emit({ node: n.name, phase: 'queued' });
  // Bundles first: a node without a certificate fails here, before any connection is opened.
  const load = opts.loadBundle ?? ((name: string) => buildNodeBundle(ctx, name));
  const jobs: Job[] = [];
  for (const node of nodes) {
    if (signal.aborted) {
      jobs.push({ node, bundle: null, prepError: null });
      continue;
    }
    try {
      jobs.push({ node, bundle: node.ssh ? await load(node.name) : null, prepError: null });
    } catch (err) {
      const e = toUserError(err);
      // Without the CA passphrase no node can be pushed: that is the request's error, not a node's.
      if (e.code === 'no-passphrase' || e.code === 'bad-passphrase' || e.code === 'keychain-unavailable') throw e;
      jobs.push({ node, bundle: null, prepError: e });
    }
  }
  refuseSharedDestinations(jobs);
  // Encrypted key files are unlocked now, before any node's timer starts.
  await shared.ring.unlockAhead(jobs.flatMap((j) => (j.bundle && !j.prepError && j.node.ssh?.keyFile ? [j.node.ssh.keyFile] : [])));
  return runPool(
    jobs,
    opts.concurrency ?? DEFAULT_CONCURRENCY,
    (job) => pushOne(shared, job),
    (job) => {
      const r = result(job.node.name, 'cancelled', 'cancelled before it started');
      emit({ node: job.node.name, phase: 'cancelled', status: 'cancelled', message: r.message });
      return r;
    },
    signal,
  );
}
