import { randomBytes } from 'node:crypto';
import { invalid } from '../errors.ts';

/**
 * Where things live on a node. The destination is a symlink into a state folder beside it:
 *
 *   /etc/cluster-trust -> .cluster-trust.cluster-trust/v-20250101T120000Z-1a2b3c4d
 *   /etc/.cluster-trust.cluster-trust/
 *     v-...            one folder per pushed bundle (the current one and the previous one are kept)
 *     previous         symlink to the bundle before the current one (for rollback)
 *     tmp-...          an upload in progress (never read by a service)
 *     pending-restart  present from the swap until the restart command has succeeded
 *
 * A new bundle is uploaded whole into tmp-..., renamed to v-..., and then the destination symlink is
 * replaced by rename(2), which is atomic: a reader sees the old bundle or the new one, never a mix.
 */

export interface RemoteLayout {
  dest: string;
  parent: string;
  base: string;
  /** The state folder, beside the destination (same file system, so renames stay atomic). */
  state: string;
  /** Name of the state folder relative to the parent: the prefix of every symlink target we write. */
  stateName: string;
  previousLink: string;
  pendingRestart: string;
}

export function remoteLayout(dest: string): RemoteLayout {
  const clean = dest.replace(/\/+$/, '');
  if (!clean.startsWith('/') || clean.includes('\0') || /(^|\/)\.\.?(\/|$)/.test(clean)) throw invalid(`the destination "${dest}" must be an absolute path without "." or ".."`);
  const cut = clean.lastIndexOf('/');
  const parent = cut === 0 ? '/' : clean.slice(0, cut);
  const base = clean.slice(cut + 1);
  if (!base) throw invalid('the destination cannot be the root folder "/"');
  const stateName = `.${base}.cluster-trust`;
  const state = `${parent === '/' ? '' : parent}/${stateName}`;
  return { dest: clean, parent, base, state, stateName, previousLink: `${state}/previous`, pendingRestart: `${state}/pending-restart` };
}

const stamp = (now: Date): string => now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

export function versionName(now: Date, bundleHash: string): string {
  return `v-${stamp(now)}-${bundleHash.slice(0, 8)}-${randomBytes(2).toString('hex')}`;
}

export function adoptedName(now: Date): string {
  return `v-${stamp(now)}-adopted-${randomBytes(2).toString('hex')}`;
}

export const tempName = (kind: 'tmp' | 'link'): string => `${kind}-${randomBytes(6).toString('hex')}`;

/** The symlink target (relative to the parent folder) for one of our version folders. */
export const linkTargetFor = (layout: RemoteLayout, version: string): string => `${layout.stateName}/${version}`;

/** The version folder a destination symlink points at, when it is one of ours; null otherwise. */
export function versionOfLink(layout: RemoteLayout, target: string): string | null {
  const rel = target.startsWith(`${layout.state}/`) ? target.slice(layout.state.length + 1) : target.startsWith(`${layout.stateName}/`) ? target.slice(layout.stateName.length + 1) : null;
  return rel && /^v-[\w-]+$/.test(rel) ? rel : null;
}

/** A leftover temp entry older than this belongs to a push that died; younger ones may be live. */
export const STALE_TEMP_SECONDS = 3600;
