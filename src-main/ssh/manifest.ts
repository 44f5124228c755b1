import { createHash } from 'node:crypto';
import { invalid } from '../errors.ts';
import type { BundleFile } from '../profiles/types.ts';

/**
 * What a pushed bundle is, written next to its files on the node (`.cluster-trust.json`). Its hash
 * covers every file's path, mode and content plus the owner, so "same hash" means "nothing to do".
 */

export const MANIFEST_NAME = '.cluster-trust.json';
export const MANIFEST_FORMAT = 1;

export interface Owner {
  uid: number;
  gid: number;
}

export interface ManifestFile {
  path: string;
  sha256: string;
  mode: number;
  size: number;
}

export interface Manifest {
  format: number;
  node: string;
  serial: string;
  /** SHA-256 of the leaf certificate (hex), what the live check expects the service to serve. */
  fingerprint: string;
  bundleHash: string;
  owner: Owner | null;
  files: ManifestFile[];
  pushedAt: string;
}

export interface FileToPush {
  path: string;
  data: Buffer;
  mode: number;
  sha256: string;
}

export const sha256Hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Bundle paths are relative, forward-slashed, without `..` or empty parts; the manifest name is ours. */
export function checkBundlePath(path: string): string {
  if (!path || path.startsWith('/') || path.includes('\0') || path.includes('\\') || path.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw invalid(`refusing bundle file path "${path}"`);
  }
  if (path === MANIFEST_NAME) throw invalid(`a bundle file may not be named ${MANIFEST_NAME}`);
  return path;
}

export function filesToPush(files: BundleFile[]): FileToPush[] {
  const seen = new Set<string>();
  return files.map((f) => {
    const path = checkBundlePath(f.path);
    if (seen.has(path)) throw invalid(`the bundle lists ${path} twice`);
    seen.add(path);
    const data = typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content;
    return { path, data, mode: f.mode & 0o7777, sha256: sha256Hex(data) };
  });
}

export function bundleHash(files: FileToPush[], owner: Owner | null): string {
  const h = createHash('sha256');
  h.update(`cluster-trust-bundle ${MANIFEST_FORMAT}\n`);
  h.update(owner ? `owner ${owner.uid}:${owner.gid}\n` : 'owner -\n');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(`${f.path}\0${f.mode.toString(8)}\0${f.sha256}\n`);
  }
  return h.digest('hex');
}

export function buildManifest(input: { node: string; serial: string; fingerprint: string; files: FileToPush[]; owner: Owner | null; now: Date }): Manifest {
  return {
    format: MANIFEST_FORMAT,
    node: input.node,
    serial: input.serial,
    fingerprint: input.fingerprint,
    bundleHash: bundleHash(input.files, input.owner),
    owner: input.owner,
    files: input.files.map((f) => ({ path: f.path, sha256: f.sha256, mode: f.mode, size: f.data.length })),
    pushedAt: input.now.toISOString(),
  };
}

/** A manifest read back from a node: anything malformed counts as "no manifest". */
export function parseManifest(data: Buffer): Manifest | null {
  try {
    const m = JSON.parse(data.toString('utf8')) as Partial<Manifest>;
    if (m.format !== MANIFEST_FORMAT || typeof m.bundleHash !== 'string' || !Array.isArray(m.files)) return null;
    return m as Manifest;
  } catch {
    return null;
  }
}
