import type { SFTPWrapper } from 'ssh2';
import { UserError } from '../errors.ts';
import type { SshSession } from './connection.ts';
import { adoptedName, linkTargetFor, STALE_TEMP_SECONDS, tempName, versionName, versionOfLink, type RemoteLayout } from './layout.ts';
import { MANIFEST_NAME, type FileToPush, type Manifest, type Owner } from './manifest.ts';
import { diagnoseWrite } from './remote-commands.ts';
import type { RemoteState } from './remote-state.ts';
import {
  chmod,
  chown,
  hardlink,
  hasExtension,
  isMissing,
  lstat,
  mkdir,
  posixRename,
  readdir,
  readlink,
  removeTree,
  rename,
  SFTP_FAILURE,
  SFTP_PERMISSION_DENIED,
  symlink,
  writeNewFile,
  type SftpError,
} from './sftp.ts';

/** Uploads a bundle beside the destination and swaps it in with one rename (see layout.ts). */

export interface InstallInput {
  session: SshSession;
  layout: RemoteLayout;
  files: FileToPush[];
  manifest: Manifest;
  owner: Owner | null;
  state: RemoteState;
  /** Leave a pending-restart marker until the restart command has run. */
  willRestart: boolean;
  now: Date;
  onUpload(done: number, total: number): void;
  /** Called once every byte is on the node, before the swap. */
  onUploaded(): void;
  /**
   * Files already on the node that the new version gets as a second name (a key made on the node:
   * `path` in the version, `from` its full path in the state folder). Never read or moved over SSH.
   */
  carried?: Array<{ path: string; from: string }>;
}

export interface InstallOutcome {
  /** The new version folder (full path). */
  installed: string;
  /** The previous bundle kept for rollback (full path, or a foreign symlink's target); null on a first push. */
  backup: string | null;
}

/** Turns an SFTP failure into one sentence, asking the node's shell for the reason SFTP hides. */
export async function remoteError(session: SshSession, err: unknown, doing: string, dirs: string[]): Promise<UserError> {
  if (err instanceof UserError) return err;
  const e = err as SftpError;
  // A dying connection fails pending SFTP calls just before ssh2 reports the close: give it a tick.
  await new Promise((r) => setImmediate(r));
  if (session.closed || LOST.test(e.message)) return new UserError('io', `the connection was lost while ${doing}`);
  if (e.code === SFTP_FAILURE || e.code === SFTP_PERMISSION_DENIED) {
    for (const dir of dirs) {
      const reason = await diagnoseWrite(session, dir);
      if (reason) return new UserError('io', `cannot write in ${dir} on the node: ${reason}`);
    }
    if (e.code === SFTP_PERMISSION_DENIED) return new UserError('io', `cannot write in ${dirs[0]} on the node: Permission denied`);
  }
  if (session.closed) return new UserError('io', `the connection was lost while ${doing}`);
  return new UserError('io', `${doing} failed at ${e.remotePath ?? dirs[0]}: ${e.message}`);
}

const LOST = /No response from server|Channel (is )?closed|Not connected|ECONNRESET/i;

export async function ensureDir(s: SFTPWrapper, path: string, mode: number): Promise<void> {
  try {
    const st = await lstat(s, path);
    if (!st.isDirectory()) throw new UserError('refused', `${path} exists on the node and is not a folder`);
    return;
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  const cut = path.lastIndexOf('/');
  if (cut > 0) await ensureDir(s, path.slice(0, cut), 0o755);
  try {
    await mkdir(s, path, mode);
  } catch (err) {
    // Another push to a second node record on the same machine may have just made it.
    const st = await lstat(s, path).catch(() => null);
    if (!st?.isDirectory()) throw err;
  }
}

/**
 * The state folder holds every bundle version and the symlinks the service follows: whoever can
 * write in it can swap what the service loads. One that another user made (or may write in) before
 * our first push is refused, not adopted. Trusted owners: the push user (learned from the upload
 * folder we just made in it), the `--owner` user, and root. The upload folder is removed first.
 */
export async function assertStateTrusted(s: SFTPWrapper, layout: RemoteLayout, ours: string, owner: Owner | null): Promise<void> {
  const [st, mine] = await Promise.all([lstat(s, layout.state), lstat(s, ours)]);
  const trusted = new Set([0, mine.uid, ...(owner ? [owner.uid] : [])]);
  const problem = !trusted.has(st.uid)
    ? `belongs to uid ${st.uid}, not to the push user (uid ${mine.uid})${owner ? `, the owner (uid ${owner.uid})` : ''} or root`
    : (st.mode & 0o022) !== 0
      ? `is writable by its group or others (mode 0${(st.mode & 0o7777).toString(8)})`
      : null;
  if (!problem) return;
  await removeTree(s, ours).catch(() => undefined);
  throw new UserError('refused', `the state folder ${layout.state} on the node ${problem}, so another user could swap the bundle the service loads; remove it (or chown it to the push user and chmod go-w), then push again`);
}

/** Points `linkPath` at `target` atomically: a fresh symlink renamed over the old one. */
async function replaceSymlink(s: SFTPWrapper, layout: RemoteLayout, target: string, linkPath: string): Promise<void> {
  const tmp = `${layout.state}/${tempName('link')}`;
  await symlink(s, target, tmp);
  try {
    await posixRename(s, tmp, linkPath);
  } catch (err) {
    await removeTree(s, tmp).catch(() => undefined);
    throw err;
  }
}

async function upload(input: InstallInput, dir: string, hasFsync: boolean): Promise<void> {
  const { session, files, owner } = input;
  const s = session.sftp;
  const subdirs = [...new Set(files.flatMap((f) => f.path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))))].sort((a, b) => a.split('/').length - b.split('/').length);
  for (const d of subdirs) {
    await mkdir(s, `${dir}/${d}`, 0o755);
    if (owner) await chown(s, `${dir}/${d}`, owner.uid, owner.gid);
  }
  const manifest = Buffer.from(`${JSON.stringify(input.manifest, null, 1)}\n`);
  const total = files.reduce((n, f) => n + f.data.length, 0) + manifest.length;
  let done = 0;
  input.onUpload(0, total);
  await Promise.all([
    ...files.map(async (f) => {
      await writeNewFile(s, `${dir}/${f.path}`, f.data, f.mode, owner, hasFsync);
      done += f.data.length;
      input.onUpload(done, total);
    }),
    writeNewFile(s, `${dir}/${MANIFEST_NAME}`, manifest, 0o644, owner, hasFsync).then(() => {
      done += manifest.length;
      input.onUpload(done, total);
    }),
  ]);
}

/**
 * A hand-made destination folder holding files the bundle does not have (the service's own config,
 * say) is refused: the swap replaces the whole folder, and those files would silently drop out of it.
 */
export function checkInstallable(state: RemoteState, layout: RemoteLayout): void {
  if (state.kind === 'dir' && !state.manifest && state.extra.length > 0) {
    const what = `${layout.dest} on the node holds files that are not part of the bundle (${state.extra.slice(0, 5).join(', ')}${state.extra.length > 5 ? ', ...' : ''}); a push replaces the whole folder, so move them out or choose another`;
    throw new UserError('refused', `${what} --dest`, `${what} “Folder on the node” in the node's Edit form`);
  }
}

export async function installBundle(input: InstallInput): Promise<InstallOutcome> {
  const { session, layout, state, now } = input;
  const s = session.sftp;
  if (!hasExtension(s, 'posix-rename@openssh.com')) {
    throw new UserError('refused', 'the node\'s SFTP server lacks posix-rename@openssh.com, which the atomic swap needs (OpenSSH has it)');
  }
  checkInstallable(state, layout);
  const hasFsync = hasExtension(s, 'fsync@openssh.com');
  const version = versionName(now, input.manifest.bundleHash);
  const tmp = `${layout.state}/${tempName('tmp')}`;

  // 1. Upload into a private temp folder beside the destination.
  let step = 'creating the upload folder';
  try {
    await ensureDir(s, layout.parent, 0o755);
    await ensureDir(s, layout.state, 0o755);
    await mkdir(s, tmp, 0o700);
    await assertStateTrusted(s, layout, tmp, input.owner);
    step = 'uploading';
    await upload(input, tmp, hasFsync);
    for (const c of input.carried ?? []) {
      if (!hasExtension(s, 'hardlink@openssh.com')) throw new UserError('refused', 'the node\'s SFTP server lacks hardlink@openssh.com, which keeps a key made on the node in place (OpenSSH has it)');
      await hardlink(s, c.from, `${tmp}/${c.path}`);
      // The owner may have been set after the key was made: the key follows it, like every pushed file.
      if (input.owner) await chown(s, `${tmp}/${c.path}`, input.owner.uid, input.owner.gid);
    }
    await chmod(s, tmp, 0o755);
    if (input.owner) await chown(s, tmp, input.owner.uid, input.owner.gid);
    await rename(s, tmp, `${layout.state}/${version}`);
  } catch (err) {
    const e = await remoteError(session, err, step, step === 'uploading' ? [tmp, layout.state] : [layout.parent, layout.state]);
    if (!session.closed) await removeTree(s, tmp).catch(() => undefined);
    throw new UserError(e.code, `${e.message}; the node keeps its previous bundle`, `${e.appMessage}; the node keeps its previous bundle`);
  }
  input.onUploaded();

  // 2. Swap: one rename makes the new bundle current.
  let backup: string | null = null;
  let previousTarget: string | null = state.linkTarget;
  try {
    if (input.willRestart) {
      const marker = `${layout.state}/${tempName('tmp')}`;
      await writeNewFile(s, marker, Buffer.from(`${version}\n`), 0o644, null, false);
      await posixRename(s, marker, layout.pendingRestart);
    }
    if (state.kind === 'dir') {
      // First push onto a hand-made folder: keep it as the backup, then link the new bundle in.
      // (Two renames: for a moment the destination is absent, but it never holds a mix.)
      const adopted = adoptedName(now);
      await rename(s, layout.dest, `${layout.state}/${adopted}`);
      previousTarget = linkTargetFor(layout, adopted);
    }
    await replaceSymlink(s, layout, linkTargetFor(layout, version), layout.dest);
  } catch (err) {
    const e = await remoteError(session, err, 'switching to the new bundle', [layout.parent, layout.state]);
    throw new UserError(e.code, `${e.message}; the new bundle is uploaded to ${layout.state}/${version} but not in use`, `${e.appMessage}; the new bundle is uploaded to ${layout.state}/${version} but not in use`);
  }

  // 3. Remember the previous bundle for rollback and drop older ones. Best effort: the push is done.
  if (previousTarget) {
    backup = previousTarget.startsWith('/') ? previousTarget : `${layout.parent === '/' ? '' : layout.parent}/${previousTarget}`;
    await replaceSymlink(s, layout, previousTarget.startsWith('/') ? previousTarget : `../${previousTarget}`, layout.previousLink).catch(() => undefined);
  } else {
    await removeTree(s, layout.previousLink).catch(() => undefined);
  }
  await pruneState(s, layout, [version, previousTarget ? versionOfLink(layout, previousTarget) : null], now);
  return { installed: `${layout.state}/${version}`, backup };
}

/**
 * Removes version folders other than `keep`, and temp entries left by pushes that died long ago.
 * Whatever the destination and `previous` point at right now is kept too, whoever wrote them.
 */
async function pruneState(s: SFTPWrapper, layout: RemoteLayout, keep: Array<string | null>, now: Date): Promise<void> {
  let entries;
  try {
    const [list, current, previous] = await Promise.all([
      readdir(s, layout.state),
      readlink(s, layout.dest).catch(() => null),
      readlink(s, layout.previousLink).catch(() => null),
    ]);
    entries = list;
    keep.push(current && versionOfLink(layout, current), previous && versionOfLink(layout, previous.replace(/^\.\.\//, '')));
  } catch {
    return;
  }
  const kept = new Set(keep.filter((v): v is string => v !== null));
  const cutoff = now.getTime() / 1000 - STALE_TEMP_SECONDS;
  await Promise.all(
    entries
      .filter((e) => (e.name.startsWith('v-') && !kept.has(e.name)) || (/^(tmp|link)-/.test(e.name) && e.attrs.mtime < cutoff))
      .map((e) => removeTree(s, `${layout.state}/${e.name}`).catch(() => undefined)),
  );
}

/** Clears the pending-restart marker once the restart command has succeeded. */
export async function clearPendingRestart(s: SFTPWrapper, layout: RemoteLayout): Promise<void> {
  await removeTree(s, layout.pendingRestart).catch((err) => {
    if (!isMissing(err)) throw err;
  });
}
