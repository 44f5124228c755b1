import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync, chmodSync, statSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** fsync a directory so a rename inside it survives a crash. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a file so that a reader (or a crash) sees the old content or the new, never a mix:
 * temp file in the same directory, fsync, rename, fsync the directory. `durable: false` (caches
 * only) skips the fsyncs: after a crash such a file may be empty or torn, never half old, half new.
 */
export function writeFileAtomic(path: string, data: string | Buffer | readonly Buffer[], mode = 0o600, opts: { syncDir?: boolean; durable?: boolean } = {}): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    // Pieces are written in turn (a file spliced from a few ranges of another needs no copy joined first).
    for (const buf of typeof data === 'string' ? [Buffer.from(data)] : Buffer.isBuffer(data) ? [data] : data) {
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    }
    if (opts.durable !== false) fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  if (opts.syncDir !== false) fsyncDir(dirname(path));
}

/** Creates a directory (and parents) with mode 0700, tightening an existing one we own. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}
