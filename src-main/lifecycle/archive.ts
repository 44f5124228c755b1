import { createHash, X509Certificate } from 'node:crypto';
import { zlib } from '../libs/node-builtins.ts';
import { z } from 'zod';
import { tar } from '../libs/tar.ts';
import { inventorySchema, packSchema, SCHEMA_VERSION, type Inventory } from '../vault/schema.ts';
import { migrateInventory } from '../vault/migrate.ts';
import { caCertPath, caKeyPath } from '../core/ca.ts';
import { UserError } from '../errors.ts';
import { AUTH_NAME, authSchema, type BackupAuth } from './backup-auth.ts';

/**
 * The backup format: a gzipped tar holding `cluster-trust-backup/MANIFEST.json` (every file's size,
 * mode and SHA-256), from version 2 `cluster-trust-backup/AUTH.json` (the manifest's HMAC under the
 * CA passphrase, see backup-auth.ts) and the vault's files under `cluster-trust-backup/vault/`. Keys inside are the
 * vault's own: CA keys PKCS#8-encrypted, node keys sealed; no passphrase is ever in a backup.
 */
export const ARCHIVE_ROOT = 'cluster-trust-backup';
export const MANIFEST_NAME = 'MANIFEST.json';
export const BACKUP_FORMAT = 'cluster-trust-backup';
export const BACKUP_VERSION = 2;
/** Far above any real vault; stops a hostile archive from filling memory. */
export const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;
const MAX_UNPACKED_BYTES = 1024 * 1024 * 1024;

const SAFE_PATH = /^(?:[A-Za-z0-9_][A-Za-z0-9._-]*\/)*[A-Za-z0-9_][A-Za-z0-9._-]*$/;

export const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  // Version 1 backups (no AUTH.json) still restore, as checksum-only.
  version: z.union([z.literal(1), z.literal(BACKUP_VERSION)]),
  createdAt: z.string(),
  vaultSchema: z.number().int(),
  cas: z.array(z.object({ id: z.string(), fingerprint: z.string(), status: z.string() })),
  files: z.array(z.object({
    path: z.string().regex(SAFE_PATH).refine((p) => !p.split('/').includes('..'), 'no ".." in paths'),
    size: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    mode: z.number().int().min(0).max(0o777),
  })),
});
export type Manifest = z.infer<typeof manifestSchema>;

export interface VaultFile {
  path: string;
  data: Buffer;
  mode: number;
}

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export function manifestFor(files: VaultFile[], inv: Inventory, createdAt: string): Manifest {
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt,
    vaultSchema: inv.schema,
    cas: inv.cas.map((c) => ({ id: c.id, fingerprint: c.fingerprint, status: c.status })),
    files: files.map((f) => ({ path: f.path, size: f.data.length, sha256: sha256(f.data), mode: f.mode & 0o777 })),
  };
}

function damaged(why: string): UserError {
  return new UserError('invalid-input', `the backup archive is damaged or not a Cluster Trust backup (${why}); nothing was restored`);
}

/** Every entry of an uncompressed tar, in memory; anything but plain files and folders is refused. */
async function tarEntries(data: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const problems: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (entry) => {
        const path = entry.path.replace(/\/+$/, '');
        if (entry.type === 'Directory') {
          entry.resume();
          return;
        }
        if (entry.type !== 'File' && entry.type !== 'OldFile') {
          problems.push(`${path} is a ${entry.type}, not a plain file`);
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => {
          if (files.has(path)) problems.push(`${path} appears twice`);
          files.set(path, Buffer.concat(chunks));
        });
      },
    });
    parser.on('error', reject);
    parser.on('warn', (_code: string, message: string | Error) => problems.push(typeof message === 'string' ? message : message.message));
    parser.on('end', () => resolve());
    parser.end(data);
  }).catch((err: Error) => {
    throw damaged(`tar: ${err.message}`);
  });
  if (problems.length > 0) throw damaged(problems[0]!);
  return files;
}

function parseJson(data: Buffer | undefined, what: string): unknown {
  if (!data) throw damaged(`${what} is missing`);
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    throw damaged(`${what} is not valid JSON`);
  }
}

export interface VerifiedArchive {
  manifest: Manifest;
  /** MANIFEST.json's exact bytes: what AUTH.json authenticates. */
  manifestBytes: Buffer;
  auth: BackupAuth | null;
  inventory: Inventory;
  files: VaultFile[];
}

/**
 * Checks an archive completely before anything is written: gzip and tar intact, every file listed
 * in the manifest with the right size and SHA-256 and nothing else, an inventory that parses, and
 * every CA and certificate it names present (CA certificates matching their fingerprints).
 */
export async function verifyArchive(archive: Buffer): Promise<VerifiedArchive> {
  let raw: Buffer;
  try {
    raw = zlib.gunzipSync(archive, { maxOutputLength: MAX_UNPACKED_BYTES });
  } catch (err) {
    throw damaged(`gzip: ${(err as Error).message}`);
  }
  const entries = await tarEntries(raw);
  const prefix = `${ARCHIVE_ROOT}/`;
  for (const path of entries.keys()) if (!path.startsWith(prefix)) throw damaged(`unexpected entry ${path}`);
  const manifestBytes = entries.get(`${prefix}${MANIFEST_NAME}`);
  const parsed = manifestSchema.safeParse(parseJson(manifestBytes, MANIFEST_NAME));
  if (!parsed.success) throw damaged(`${MANIFEST_NAME} is invalid at ${parsed.error.issues[0]?.path.join('.') || '(root)'}`);
  const manifest = parsed.data;
  const authBytes = entries.get(`${prefix}${AUTH_NAME}`);
  if (authBytes && manifest.version < 2) throw damaged(`${AUTH_NAME} in a version 1 backup`);
  const authParsed = authBytes ? authSchema.safeParse(parseJson(authBytes, AUTH_NAME)) : null;
  if (authParsed && !authParsed.success) throw damaged(`${AUTH_NAME} is invalid`);
  const listed = new Set<string>();
  const files: VaultFile[] = [];
  for (const f of manifest.files) {
    if (listed.has(f.path)) throw damaged(`${f.path} is listed twice`);
    listed.add(f.path);
    const data = entries.get(`${prefix}vault/${f.path}`);
    if (!data) throw damaged(`${f.path} is missing`);
    if (data.length !== f.size || sha256(data) !== f.sha256) throw damaged(`${f.path} does not match its checksum`);
    files.push({ path: f.path, data, mode: f.mode });
  }
  for (const path of entries.keys()) {
    if (path !== `${prefix}${MANIFEST_NAME}` && path !== `${prefix}${AUTH_NAME}` && !listed.has(path.slice(`${prefix}vault/`.length))) throw damaged(`${path} is not in the manifest`);
  }
  const byPath = new Map(files.map((f) => [f.path, f.data]));
  const invRaw = parseJson(byPath.get('inventory.json'), 'inventory.json');
  const version = (invRaw as { schema?: unknown } | null)?.schema;
  if (typeof version === 'number' && version > SCHEMA_VERSION) {
    throw new UserError('invalid-input', `this backup was made by a newer Cluster Trust (vault schema ${version}); upgrade the app to restore it`);
  }
  const inv = inventorySchema.safeParse(migrateInventory(invRaw));
  if (!inv.success) throw damaged(`inventory.json is invalid at ${inv.error.issues[0]?.path.join('.') || '(root)'}`);
  for (const ca of inv.data.cas) {
    const cert = byPath.get(caCertPath(ca.id));
    if (!cert || !byPath.has(caKeyPath(ca.id))) throw damaged(`the files of CA "${ca.name}" are missing`);
    let fingerprint = '';
    try {
      fingerprint = sha256(new X509Certificate(cert).raw);
    } catch {
      throw damaged(`the certificate of CA "${ca.name}" is unreadable`);
    }
    if (fingerprint !== ca.fingerprint) throw damaged(`the certificate of CA "${ca.name}" does not match its fingerprint`);
  }
  const packs = new Map<string, Set<string>>();
  for (const cert of inv.data.certs) {
    let serials = packs.get(cert.pack);
    if (!serials) {
      const pack = packSchema.safeParse(parseJson(byPath.get(`packs/${cert.pack}.json`), `packs/${cert.pack}.json`));
      if (!pack.success) throw damaged(`packs/${cert.pack}.json is invalid`);
      serials = new Set(Object.keys(pack.data.certs));
      packs.set(cert.pack, serials);
    }
    if (!serials.has(cert.serial)) throw damaged(`certificate ${cert.serial} is missing from its pack`);
  }
  return { manifest, manifestBytes: manifestBytes!, auth: authParsed?.data ?? null, inventory: inv.data, files };
}
