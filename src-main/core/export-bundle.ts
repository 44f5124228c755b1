import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeBundleDir, writeBundleTar, writeBundleFile, type BundleFormat } from '../bundle/write.ts';
import { audit } from '../vault/audit.ts';
import { UserError, invalid } from '../errors.ts';
import { buildNodeBundle, refusePkcs12WithoutKey, type NodeBundle } from './bundle.ts';
import type { CoreContext } from './context.ts';

export interface ExportedFile {
  path: string;
  description: string;
  mode: string;
}

export interface BundleExport {
  node: string;
  serial: string;
  path: string;
  format: BundleFormat;
  files: ExportedFile[];
}

/** A bundle checked and built, not yet written: the app asks where to save only once nothing can fail. */
export interface PreparedExport {
  bundle: NodeBundle;
  /** Writes it (a folder appears whole, files are never overwritten) and records bundle.export. */
  writeTo(out: string): Promise<BundleExport>;
}

/** The bundle as one PKCS#12 file: node key, leaf and chain. node-forge loads for this format only. */
async function pkcs12Of(bundle: NodeBundle, password: string): Promise<Buffer> {
  refusePkcs12WithoutKey(bundle);
  const file = (name: string) => bundle.files.find((f) => f.path === name)?.content.toString();
  const { pkcs12FromPem } = await import('../pki/pkcs12.ts');
  return pkcs12FromPem({ keyPem: file('node.key')!, certsPem: file('node.crt') ?? '', password, friendlyName: bundle.node.name });
}

/**
 * Exporting a node's bundle in any format, for both front ends: everything that can fail (no
 * certificate, CA passphrase, profile, a PKCS#12 of a node that keeps its key) fails here, before
 * the caller picks a destination; the write is audited, since a node key leaves the vault.
 */
export async function prepareBundleExport(ctx: CoreContext, name: string, format: BundleFormat, p12Password?: string): Promise<PreparedExport> {
  if (format === 'p12' && !p12Password) throw invalid('a PKCS#12 file needs a password');
  if (format !== 'p12' && p12Password !== undefined) throw invalid('only a PKCS#12 export takes a password');
  const bundle = await buildNodeBundle(ctx, name);
  const p12 = p12Password !== undefined ? await pkcs12Of(bundle, p12Password) : null;
  return {
    bundle,
    async writeTo(out) {
      let path: string;
      let files: ExportedFile[];
      if (p12) {
        path = writeBundleFile(p12, out);
        files = [{ path: basename(path), description: 'node key, certificate and CA chain (PKCS#12)', mode: '600' }];
      } else {
        path = format === 'tar' ? await writeBundleTar(bundle.files, out) : writeBundleDir(bundle.files, out);
        files = bundle.files.map((f) => ({ path: f.path, description: f.description, mode: f.mode.toString(8) }));
      }
      audit(ctx, { action: 'bundle.export', node: bundle.node.name, serial: bundle.cert.serial, fingerprint: bundle.cert.fingerprint, detail: `${format} to ${path}` });
      return { node: bundle.node.name, serial: bundle.cert.serial, path, format, files };
    },
  };
}

/** What a bulk export writes for a node inside the chosen folder. */
export function bulkExportName(node: string, format: 'dir' | 'tar'): string {
  return format === 'tar' ? `${node}-bundle.tar.gz` : `${node}-bundle`;
}

/** Many nodes' bundles checked and built, not yet written. */
export interface PreparedExports {
  nodes: string[];
  /** Writes each node's bundle into `folder` (its own subfolder or archive), audited per node. */
  writeInto(folder: string): Promise<BundleExport[]>;
}

/**
 * Bundles for a selection of nodes into one folder: every bundle is built (and every failure
 * reported) before the caller asks where; a name already taken in the folder refuses the whole
 * export before anything is written.
 */
export async function prepareBundleExports(ctx: CoreContext, names: readonly string[], format: 'dir' | 'tar'): Promise<PreparedExports> {
  const wanted = [...new Set(names)];
  if (wanted.length === 0) throw invalid('name the nodes to export');
  const prepared: PreparedExport[] = [];
  for (const name of wanted) prepared.push(await prepareBundleExport(ctx, name, format));
  return {
    nodes: wanted,
    async writeInto(folder) {
      if (!existsSync(folder) || !statSync(folder).isDirectory()) throw invalid(`${folder} is not a folder`);
      const taken = wanted.filter((n) => existsSync(join(folder, bulkExportName(n, format))));
      if (taken.length) throw new UserError('conflict', `${folder} already holds ${taken.map((n) => bulkExportName(n, format)).join(', ')}; choose an empty folder, nothing was written`);
      const done: BundleExport[] = [];
      for (const [i, p] of prepared.entries()) done.push(await p.writeTo(join(folder, bulkExportName(wanted[i]!, format))));
      return done;
    },
  };
}
