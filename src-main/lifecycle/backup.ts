import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { tar } from '../libs/tar.ts';
import { writeFileAtomic } from '../vault/atomic.ts';
import { acquireLock } from '../vault/lock.ts';
import { CHECKED_STAMP, DERIVED_PREFIX } from '../vault/vault.ts';
import { UserError, invalid } from '../errors.ts';
import { audit } from '../vault/audit.ts';
import { ARCHIVE_ROOT, MANIFEST_NAME, manifestFor, sha256, type VaultFile } from './archive.ts';
import { AUTH_NAME, authenticateBackup } from './backup-auth.ts';
import type { CoreContext } from '../core/context.ts';

/** Lock files and the temp files of interrupted writes are not part of a vault's content. */
function skipped(name: string): boolean {
  // The checked-inventory stamp is a cache of this machine's last write: a restore checks in full.
  // Derived views are computed again from the inventory.
  return name === '.lock' || name === CHECKED_STAMP || name.startsWith(DERIVED_PREFIX) || (name.startsWith('.') && name.endsWith('.tmp'));
}

function collect(home: string): VaultFile[] {
  const out: VaultFile[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(home, rel)).sort()) {
      if (skipped(name)) continue;
      const relPath = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(home, relPath));
      if (st.isDirectory()) walk(relPath);
      else if (st.isFile()) out.push({ path: relPath, data: readFileSync(join(home, relPath)), mode: st.mode & 0o777 });
      else throw new UserError('refused', `the vault holds ${relPath}, which is not a plain file; move it away and try again`);
    }
  };
  walk('');
  return out;
}

/** The sidecar `sha256sum -c` reads: the archive's SHA-256, then its file name. */
export const checksumPath = (archive: string): string => `${archive}.sha256`;

export interface BackupResult {
  path: string;
  checksumPath: string;
  sha256: string;
  files: number;
  bytes: number;
  /** Null when the archive carries an authentication code; else why it is checksum-only. */
  unauthenticated: string | null;
}

/**
 * `backup --out FILE`: the whole vault, read under its lock so no change lands half-way, into one
 * .tar.gz with a manifest of checksums and its authentication code inside, and FILE.sha256 beside it.
 */
export async function backupVault(ctx: CoreContext, outFile: string): Promise<BackupResult> {
  const out = resolve(outFile);
  if (!ctx.vault.exists()) throw new UserError('not-found', `there is no vault in ${ctx.vault.home} to back up`);
  if (existsSync(out)) throw invalid(`${out} already exists; choose a new file name`);
  if (existsSync(checksumPath(out))) throw invalid(`${checksumPath(out)} already exists; choose a new file name`);
  if (!existsSync(dirname(out))) throw invalid(`the folder ${dirname(out)} does not exist`);
  if (resolve(dirname(out)).startsWith(`${resolve(ctx.vault.home)}/`) || resolve(dirname(out)) === resolve(ctx.vault.home)) {
    throw invalid('write the backup outside the vault folder');
  }
  let files: VaultFile[];
  const release = await acquireLock(ctx.vault.path('.lock'));
  let inv;
  try {
    inv = ctx.vault.read();
    files = collect(ctx.vault.home);
  } finally {
    release();
  }
  const manifest = manifestFor(files, inv, ctx.now().toISOString());
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`);
  const signed = await authenticateBackup(ctx, inv, manifestBytes);
  const stage = join(dirname(out), `.${basename(out)}.${randomBytes(5).toString('hex')}.tmp`);
  let archive: Buffer;
  try {
    mkdirSync(join(stage, ARCHIVE_ROOT, 'vault'), { recursive: true, mode: 0o700 });
    writeFileSync(join(stage, ARCHIVE_ROOT, MANIFEST_NAME), manifestBytes, { mode: 0o600 });
    if (signed.auth) writeFileSync(join(stage, ARCHIVE_ROOT, AUTH_NAME), `${JSON.stringify(signed.auth)}\n`, { mode: 0o600 });
    for (const f of files) {
      const target = join(stage, ARCHIVE_ROOT, 'vault', f.path);
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      writeFileSync(target, f.data, { mode: f.mode });
    }
    const chunks: Buffer[] = [];
    const stream = tar.create({ gzip: true, cwd: stage, portable: true }, [ARCHIVE_ROOT]);
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    archive = Buffer.concat(chunks);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  const digest = sha256(archive);
  writeFileAtomic(out, archive, 0o600);
  writeFileAtomic(checksumPath(out), `${digest}  ${basename(out)}\n`, 0o644);
  await ctx.vault.update((v) => {
    v.lastBackupAt = ctx.now().toISOString();
  });
  audit(ctx, { action: 'backup', detail: `${files.length} files to ${out} (SHA-256 ${digest}${signed.auth ? '' : ', checksum only'})` });
  return { path: out, checksumPath: checksumPath(out), sha256: digest, files: files.length, bytes: archive.length, unauthenticated: signed.auth ? null : signed.why };
}
