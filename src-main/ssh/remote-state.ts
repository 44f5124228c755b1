import type { SFTPWrapper } from 'ssh2';
import { UserError } from '../errors.ts';
import { versionOfLink, type RemoteLayout } from './layout.ts';
import { MANIFEST_NAME, parseManifest, sha256Hex, type FileToPush, type Manifest, type Owner } from './manifest.ts';
import { isMissing, lstat, readdir, readFile, readlink, SFTP_PERMISSION_DENIED, stat, type SftpError } from './sftp.ts';

/** What a node has now at the destination, read without changing anything, and how it differs. */

export type DestKind = 'missing' | 'managed' | 'symlink' | 'dir';

export interface FileChange {
  path: string;
  change: 'add' | 'update' | 'mode' | 'owner' | 'remove';
  /** e.g. "0644 -> 0600", "uid 0 -> 65534". */
  detail?: string;
}

export interface RemoteState {
  kind: DestKind;
  /** The symlink's target when the destination is one. */
  linkTarget: string | null;
  /** Our version folder the destination points at, when it is ours. */
  version: string | null;
  manifest: Manifest | null;
  changes: FileChange[];
  /** Top-level names in the destination that the bundle does not have. */
  extra: string[];
  pendingRestart: boolean;
}

const MAX_REMOTE_FILE = 4 * 1024 * 1024;
const octal = (mode: number): string => `0${(mode & 0o7777).toString(8)}`;

async function kindOf(s: SFTPWrapper, layout: RemoteLayout): Promise<{ kind: DestKind; linkTarget: string | null }> {
  let st;
  try {
    st = await lstat(s, layout.dest);
  } catch (err) {
    if (isMissing(err)) return { kind: 'missing', linkTarget: null };
    throw err;
  }
  if (st.isSymbolicLink()) {
    const target = await readlink(s, layout.dest);
    return { kind: versionOfLink(layout, target) ? 'managed' : 'symlink', linkTarget: target };
  }
  if (st.isDirectory()) return { kind: 'dir', linkTarget: null };
  throw new UserError('refused', `${layout.dest} exists on the node and is not a folder; move it away or choose another --dest`, `${layout.dest} exists on the node and is not a folder; move it away or choose another “Folder on the node” in the node's Edit form`);
}

async function fileChange(s: SFTPWrapper, layout: RemoteLayout, f: FileToPush, owner: Owner | null): Promise<FileChange | null> {
  const path = `${layout.dest}/${f.path}`;
  let st;
  try {
    st = await stat(s, path);
  } catch (err) {
    if (isMissing(err)) return { path: f.path, change: 'add' };
    throw err;
  }
  if (!st.isFile()) return { path: f.path, change: 'update', detail: 'not a regular file now' };
  if (st.size !== f.data.length) return { path: f.path, change: 'update' };
  let data: Buffer;
  try {
    data = await readFile(s, path, MAX_REMOTE_FILE);
  } catch (err) {
    // A file the SSH user may not read (another owner's key) cannot be compared: push it again.
    if ((err as SftpError).code === SFTP_PERMISSION_DENIED) return { path: f.path, change: 'update', detail: 'unreadable, cannot compare' };
    throw err;
  }
  if (sha256Hex(data) !== f.sha256) return { path: f.path, change: 'update' };
  if ((st.mode & 0o7777) !== f.mode) return { path: f.path, change: 'mode', detail: `${octal(st.mode)} -> ${octal(f.mode)}` };
  if (owner && (st.uid !== owner.uid || st.gid !== owner.gid)) return { path: f.path, change: 'owner', detail: `${st.uid}:${st.gid} -> ${owner.uid}:${owner.gid}` };
  return null;
}

export async function readRemoteState(s: SFTPWrapper, layout: RemoteLayout, files: FileToPush[], owner: Owner | null): Promise<RemoteState> {
  const { kind, linkTarget } = await kindOf(s, layout);
  const state: RemoteState = { kind, linkTarget, version: linkTarget ? versionOfLink(layout, linkTarget) : null, manifest: null, changes: [], extra: [], pendingRestart: false };
  const pending = stat(s, layout.pendingRestart).then(() => true, () => false);
  if (kind === 'missing') {
    state.changes = files.map((f) => ({ path: f.path, change: 'add' }));
    state.pendingRestart = await pending;
    return state;
  }
  const [changes, manifestData, entries] = await Promise.all([
    Promise.all(files.map((f) => fileChange(s, layout, f, owner))),
    readFile(s, `${layout.dest}/${MANIFEST_NAME}`, MAX_REMOTE_FILE).catch(() => null),
    // A dangling link (its version folder was removed by hand) lists as empty.
    readdir(s, layout.dest).catch((err: unknown) => (isMissing(err) ? [] : Promise.reject(err))),
  ]);
  const tops = new Set(files.map((f) => f.path.split('/')[0]!));
  state.manifest = manifestData ? parseManifest(manifestData) : null;
  state.extra = entries.map((e) => e.name).filter((n) => n !== MANIFEST_NAME && !tops.has(n)).sort();
  state.changes = [...changes.filter((c): c is FileChange => c !== null), ...state.extra.map((path) => ({ path, change: 'remove' as const }))];
  state.pendingRestart = await pending;
  return state;
}

/** Nothing to do: our layout, the same bundle hash, and every file as the bundle says. */
export function isUnchanged(state: RemoteState, bundleHash: string): boolean {
  return state.kind === 'managed' && state.changes.length === 0 && state.manifest?.bundleHash === bundleHash;
}

export function describeChanges(state: RemoteState): string {
  if (state.changes.length === 0) return 'no file changes';
  return state.changes.map((c) => `${c.change} ${c.path}${c.detail ? ` (${c.detail})` : ''}`).join(', ');
}
