import { createHash } from 'node:crypto';
import { UserError } from '../errors.ts';
import type { KeyType } from '../pki/policy.ts';
import type { SshSession } from './connection.ts';
import { assertStateTrusted, ensureDir, remoteError } from './install.ts';
import { tempName, type RemoteLayout } from './layout.ts';
import type { Owner } from './manifest.ts';
import { shellQuote } from './remote-commands.ts';
import type { RemoteState } from './remote-state.ts';
import { chown, isMissing, lstat, readdir, removeTree, rename, rmdir } from './sftp.ts';

/**
 * Keys made on the node. Everything happens in the state folder beside the install folder (see
 * layout.ts), so renames stay on one file system:
 *
 *   .tls.cluster-trust/tmp-...       0700  staging: the node's openssl writes node.key (0600) and the CSR here
 *   .tls.cluster-trust/key-<id>/     0700  a key whose CSR was signed, waiting for (or kept after) its push;
 *                                          <id> = the first 16 hex digits of the SHA-256 of its public key
 *   .tls.cluster-trust/v-.../node.key      a second name (hard link) of that key in each pushed version
 *
 * Only the CSR and the public key travel back; the private key is never read over SSH.
 */

export const NODE_KEY_FILE = 'node.key';

/** The id of a key: its SPKI's SHA-256, shortened (the name of its key folder on the node). */
export function nodeKeyId(spkiDer: Uint8Array): string {
  return createHash('sha256').update(spkiDer).digest('hex').slice(0, 16);
}

export const keyDirOf = (layout: RemoteLayout, keyId: string): string => `${layout.state}/key-${keyId}`;

/** `openssl genpkey` arguments for each key type we issue. */
function genpkeyArgs(type: KeyType): string {
  switch (type) {
    case 'ecdsa-p256':
      return '-algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve';
    case 'ecdsa-p384':
      return '-algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve';
    case 'rsa-2048':
    case 'rsa-3072':
    case 'rsa-4096':
      return `-algorithm RSA -pkeyopt rsa_keygen_bits:${type.slice(4)}`;
  }
}

export interface MakeKeyInput {
  /** The CSR's CN (only a label: the certificate gets the inventory's names whatever the CSR says). */
  commonName: string;
  /** A new key of this type, or the node's current key (tried in order: key folder, installed bundle). */
  key: { make: KeyType } | { keep: string[] };
  owner: Owner | null;
}

export interface MadeKey {
  /** The staging folder holding node.key; hand it to keepStagedKey or discardStaged. */
  stage: string;
  csrPem: string;
  /** `openssl pkey -pubout` of the key in the staging folder. */
  publicKeyPem: string;
  /** Folders this run created (state folder, its parent): removed again, when empty, if the key is not kept. */
  created: string[];
}

/** Exit codes of the script below, each with the sentence the user sees. */
const SCRIPT_ERRORS: Record<number, string> = {
  20: 'cannot enter the staging folder',
  21: 'openssl is not installed on the node (or not on its SSH user\'s PATH): install it, or turn off --key-on-node for this node',
  22: 'the node\'s current key is gone (neither in its key folder nor in the installed bundle): renew with --rekey to make a new one there',
  23: 'cannot link the node\'s current key into the staging folder',
  24: 'openssl genpkey failed on the node',
  25: 'openssl req (making the CSR) failed on the node',
  26: 'openssl pkey (reading the public key back) failed on the node',
};

function script(stage: string, input: MakeKeyInput): string {
  const lines = [
    'LC_ALL=C; export LC_ALL',
    // Everything this script creates is the SSH user's alone, from the first byte.
    'umask 077',
    `cd -- ${shellQuote(stage)} || exit 20`,
    'command -v openssl >/dev/null 2>&1 || exit 21',
  ];
  if ('make' in input.key) {
    lines.push(`openssl genpkey ${genpkeyArgs(input.key.make)} -out node.key >/dev/null || exit 24`);
  } else {
    lines.push("k=''", `for c in ${input.key.keep.map(shellQuote).join(' ')}; do if [ -f "$c" ]; then k=$c; break; fi; done`, '[ -n "$k" ] || exit 22');
    lines.push('ln -- "$k" node.key 2>/dev/null || cp -p -- "$k" node.key || exit 23');
  }
  lines.push(
    'chmod 600 node.key',
    `openssl req -new -key node.key -subj ${shellQuote(`/CN=${input.commonName}`)} -out node.csr || exit 25`,
    'openssl pkey -in node.key -pubout -out node.pub || exit 26',
    'cat node.csr node.pub',
  );
  return `${lines.join('\n')}\n`;
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop()?.trim() ?? '';
}

function pemOf(text: string, label: string): string | null {
  const m = new RegExp(`-----BEGIN ${label}-----[\\s\\S]*?-----END ${label}-----\\n?`).exec(text);
  return m ? m[0] : null;
}

/** Removes a staging folder, and the state folder (and its parent) when this run made them and they are empty. */
async function cleanUp(session: SshSession, stage: string, made: string[]): Promise<void> {
  if (session.closed) return;
  await removeTree(session.sftp, stage).catch(() => undefined);
  for (const dir of made) await rmdir(session.sftp, dir).catch(() => undefined);
}

async function missing(session: SshSession, path: string): Promise<boolean> {
  try {
    await lstat(session.sftp, path);
    return false;
  } catch (err) {
    if (isMissing(err)) return true;
    throw err;
  }
}

/**
 * Makes (or re-uses) the node's key in a fresh 0700 staging folder with the node's own openssl and
 * reads back the CSR and the public key. On any failure the staging folder is gone again.
 */
export async function makeKeyOnNode(session: SshSession, layout: RemoteLayout, input: MakeKeyInput): Promise<MadeKey> {
  const s = session.sftp;
  const stage = `${layout.state}/${tempName('tmp')}`;
  // Folders this run creates are removed again on failure (only when empty: never anyone's files).
  const made: string[] = [];
  let step = 'creating the staging folder';
  try {
    if (await missing(session, layout.state)) {
      made.unshift(layout.state);
      if (await missing(session, layout.parent)) made.push(layout.parent);
    }
    await ensureDir(s, layout.parent, 0o755);
    await ensureDir(s, layout.state, 0o755);
    await ensureDir(s, stage, 0o700);
    await assertStateTrusted(s, layout, stage, input.owner);
    step = 'making the key';
    const r = await session.exec('sh -s', script(stage, input));
    if (r.code === null && r.signal === null) throw new UserError('io', 'the connection was lost while making the key on the node');
    if (r.code !== 0) {
      const why = r.code !== null ? SCRIPT_ERRORS[r.code] : undefined;
      const detail = lastLine(r.stderr);
      throw new UserError('tool-failed', `${why ?? `making the key on the node failed (${r.code === null ? `signal ${r.signal}` : `exit ${r.code}`})`}${detail && r.code !== 21 && r.code !== 22 ? `: ${detail}` : ''}`);
    }
    const csrPem = pemOf(r.stdout, 'CERTIFICATE REQUEST');
    const publicKeyPem = pemOf(r.stdout, 'PUBLIC KEY');
    if (!csrPem || !publicKeyPem) throw new UserError('refused', 'the node\'s openssl did not return a CSR and a public key');
    step = 'setting the key\'s owner';
    if (input.owner && 'make' in input.key) await chown(s, `${stage}/${NODE_KEY_FILE}`, input.owner.uid, input.owner.gid);
    return { stage, csrPem, publicKeyPem, created: made };
  } catch (err) {
    const e = await remoteError(session, err, step, [layout.parent, layout.state]);
    await cleanUp(session, stage, made);
    throw new UserError(e.code, `${e.message}; nothing was left on the node`);
  }
}

/** Removes a staging folder (a CSR that was refused, or a vault that would not record it). */
export async function discardStaged(session: SshSession, made: MadeKey): Promise<void> {
  await cleanUp(session, made.stage, made.created);
}

/**
 * Keeps a staged key whose certificate is about to be recorded: renamed to its key folder. Returns
 * an undo for when the vault refuses the certificate (only a key folder this call made is removed).
 */
export async function keepStagedKey(session: SshSession, layout: RemoteLayout, made: MadeKey, keyId: string): Promise<() => Promise<void>> {
  const dir = keyDirOf(layout, keyId);
  try {
    if (!(await missing(session, dir))) {
      // The same key kept for a renewal: its folder is already there.
      await removeTree(session.sftp, made.stage);
      return async () => undefined;
    }
    await rename(session.sftp, made.stage, dir);
  } catch (err) {
    const e = await remoteError(session, err, 'keeping the key', [layout.state]);
    await cleanUp(session, made.stage, made.created);
    throw new UserError(e.code, `${e.message}; nothing was left on the node`);
  }
  return () => cleanUp(session, dir, made.created);
}

/** Where a push finds the key that belongs to the certificate it installs; a clear error when it is gone. */
export async function keyToCarry(session: SshSession, layout: RemoteLayout, keyId: string, node: string): Promise<{ path: string; from: string }> {
  const from = `${keyDirOf(layout, keyId)}/${NODE_KEY_FILE}`;
  if (await missing(session, from)) {
    throw new UserError('not-found', `the key made on the node for its current certificate is not in ${keyDirOf(layout, keyId)}: run \`cluster-trust renew ${node} --rekey\` to make a new one there`);
  }
  return { path: NODE_KEY_FILE, from };
}

/** The key already in the destination is part of the bundle, not a file to remove. */
export function withCarriedKey(state: RemoteState): RemoteState {
  const hasKey = state.extra.includes(NODE_KEY_FILE);
  const changes = state.changes.filter((c) => !(c.path === NODE_KEY_FILE && c.change === 'remove'));
  if (!hasKey) changes.push({ path: NODE_KEY_FILE, change: 'add' });
  return { ...state, extra: state.extra.filter((n) => n !== NODE_KEY_FILE), changes };
}

/** After a push: key folders other than the current key's go (each pushed version keeps its own link). */
export async function pruneKeyDirs(session: SshSession, layout: RemoteLayout, keep: string): Promise<void> {
  const entries = await readdir(session.sftp, layout.state).catch(() => []);
  await Promise.all(
    entries
      .filter((e) => /^key-[0-9a-f]{16}$/.test(e.name) && e.name !== `key-${keep}`)
      .map((e) => removeTree(session.sftp, `${layout.state}/${e.name}`).catch(() => undefined)),
  );
}
