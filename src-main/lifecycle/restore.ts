import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fsyncDir } from '../vault/atomic.ts';
import { audit } from '../vault/audit.ts';
import { acquireLock } from '../vault/lock.ts';
import { UserError, invalid } from '../errors.ts';
import { MAX_ARCHIVE_BYTES, sha256, verifyArchive, type VaultFile } from './archive.ts';
import { checksumPath } from './backup.ts';
import { checkBackupAuth, type Authenticity } from './backup-auth.ts';
import { caKeyPath } from '../core/ca.ts';
import { findInterruptedRestore, interruptedRestoreError } from './restore-recovery.ts';
import type { CoreContext } from '../core/context.ts';
import type { Inventory } from '../vault/schema.ts';

function readArchive(file: string): Buffer {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw invalid(`${file} is not a file`);
    size = st.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw invalid(`cannot read the backup ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (size > MAX_ARCHIVE_BYTES) throw invalid(`${file} is ${size} bytes, far larger than any vault backup; refusing to read it`);
  return readFileSync(file);
}

/** FILE.sha256 written by `backup`; when present it must match, when absent the manifest alone vouches. */
function checkSidecar(file: string, archive: Buffer): boolean {
  const sidecar = checksumPath(file);
  if (!existsSync(sidecar)) return false;
  const expected = readFileSync(sidecar, 'utf8').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!/^[0-9a-f]{64}$/.test(expected)) throw invalid(`the checksum file ${sidecar} is not a SHA-256 line; nothing was restored`);
  if (expected !== sha256(archive)) {
    throw invalid(`the backup does not match its checksum file ${sidecar}: it was changed or truncated since it was made; nothing was restored`);
  }
  return true;
}

function writeDurable(path: string, data: Buffer, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes every file into a new folder, fsyncing files and folders, so a rename can publish it. */
function stage(files: VaultFile[], dir: string): void {
  mkdirSync(dir, { mode: 0o700 });
  const dirs = new Set<string>([dir]);
  for (const f of files) {
    const target = join(dir, f.path);
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    dirs.add(dirname(target));
    writeDurable(target, f.data, f.mode);
  }
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) fsyncDir(d);
}

export interface Restored {
  home: string;
  inventory: Inventory;
  files: number;
  /** Where the vault that was replaced (with --force) was moved. */
  previousVaultMovedTo: string | null;
  checkedSidecar: boolean;
  /** Authenticated under the CA passphrase, or checksum-only (and why), accepted explicitly. */
  authenticity: Authenticity;
  createdAt: string;
}

export interface RestoreOptions {
  force?: boolean;
  /**
   * Whether a backup this machine cannot authenticate (checksums only) may be restored: the CLI's
   * --accept-unauthenticated, or the app's question in a native dialog. Asked after every check,
   * before anything is written.
   */
  acceptUnauthenticated?: boolean | ((why: string) => Promise<boolean>);
}

function describeVault(home: string): string {
  try {
    const inv = JSON.parse(readFileSync(join(home, 'inventory.json'), 'utf8')) as Partial<Inventory>;
    return ` (it holds ${inv.cas?.length ?? 0} CA(s), ${inv.nodes?.length ?? 0} node(s))`;
  } catch {
    return '';
  }
}

/**
 * `restore FILE`: verifies the whole archive first (checksums, then its authentication code under
 * this machine's CA passphrase, or the caller's explicit acceptance of a checksum-only one), then builds the vault in a temp folder beside
 * the target and renames it into place. A vault already there is replaced only with --force, and
 * is moved aside rather than deleted; a failure at any step leaves the target as it was.
 */
export async function restoreVault(ctx: CoreContext, file: string, opts: RestoreOptions = {}): Promise<Restored> {
  const home = resolve(ctx.vault.home);
  const interrupted = findInterruptedRestore(home);
  if (interrupted) throw interruptedRestoreError(interrupted);
  const occupied = existsSync(home) && (!statSync(home).isDirectory() || readdirSync(home).length > 0);
  if (occupied && !opts.force) {
    throw new UserError('refused', `the vault in ${home} is not empty${describeVault(home)}; restore into another --home, or add --force to replace it (the current vault is moved aside, not deleted)`);
  }
  if (existsSync(home) && !statSync(home).isDirectory()) throw invalid(`${home} exists and is not a folder`);
  const archive = readArchive(file);
  const checkedSidecar = checkSidecar(file, archive);
  const verified = await verifyArchive(archive);
  const keys = new Map(verified.files.map((f) => [f.path, f.data]));
  const authenticity = await checkBackupAuth(ctx, verified.auth, verified.inventory, (rec) => keys.get(caKeyPath(rec.id))?.toString(), verified.manifestBytes);
  if (!authenticity.authenticated) {
    const accept = opts.acceptUnauthenticated;
    const accepted = typeof accept === 'function' ? await accept(authenticity.why) : accept === true;
    if (!accepted) {
      throw new UserError(
        'refused',
        `the backup cannot be authenticated on this machine: ${authenticity.why}. Only its checksums were verified, and whoever changed it could recompute them (push commands included); restore it anyway only if you know where it has been (--accept-unauthenticated). Nothing was restored`,
      );
    }
  }
  mkdirSync(dirname(home), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(home), `.${basename(home)}.restore-${randomBytes(5).toString('hex')}`);
  let aside: string | null = null;
  try {
    stage(verified.files, tmp);
    if (!existsSync(home)) {
      renameSync(tmp, home);
    } else if (readdirSync(home).length === 0) {
      rmdirSync(home);
      renameSync(tmp, home);
    } else {
      // Hold the old vault's lock so no writer is half-way through it while it moves aside.
      const release = await acquireLock(join(home, '.lock'));
      try {
        aside = `${home}.before-restore-${ctx.now().toISOString().replace(/[:.]/g, '-')}`;
        renameSync(home, aside);
        renameSync(tmp, home);
      } finally {
        release();
        if (aside) rmSync(join(aside, '.lock'), { force: true });
      }
    }
    fsyncDir(dirname(home));
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (aside && !existsSync(home) && existsSync(aside)) renameSync(aside, home);
    throw err;
  }
  // Recorded in the restored vault's own log (the only one that goes on), for both front ends.
  audit(ctx, {
    action: 'restore',
    detail: `${verified.files.length} files from ${file} (made ${verified.manifest.createdAt}, ${authenticity.authenticated ? 'authenticated' : 'checksum only'})${aside ? `; the replaced vault is at ${aside}` : ''}`,
  });
  return { home, inventory: verified.inventory, files: verified.files.length, previousVaultMovedTo: aside, checkedSidecar, authenticity, createdAt: verified.manifest.createdAt };
}
