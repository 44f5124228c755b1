import type { SFTPWrapper, Stats } from 'ssh2';

/** Promise wrappers over the few SFTP calls the installer uses, and their status codes. */

export const SFTP_NO_SUCH_FILE = 2;
export const SFTP_PERMISSION_DENIED = 3;
export const SFTP_FAILURE = 4;

export interface SftpError extends Error {
  code?: number;
  /** The remote path the failing call was about. */
  remotePath?: string;
}

function call<T>(path: string, run: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    run((err, value) => {
      if (err) {
        (err as SftpError).remotePath = path;
        reject(err);
      } else resolve(value as T);
    });
  });
}

export function isMissing(err: unknown): boolean {
  return (err as SftpError | undefined)?.code === SFTP_NO_SUCH_FILE;
}

export const lstat = (s: SFTPWrapper, p: string): Promise<Stats> => call(p, (cb) => s.lstat(p, cb));
export const stat = (s: SFTPWrapper, p: string): Promise<Stats> => call(p, (cb) => s.stat(p, cb));
export const readlink = (s: SFTPWrapper, p: string): Promise<string> => call(p, (cb) => s.readlink(p, cb));
export const mkdir = (s: SFTPWrapper, p: string, mode: number): Promise<void> => call(p, (cb) => s.mkdir(p, { mode }, cb));
export const rmdir = (s: SFTPWrapper, p: string): Promise<void> => call(p, (cb) => s.rmdir(p, cb));
export const unlink = (s: SFTPWrapper, p: string): Promise<void> => call(p, (cb) => s.unlink(p, cb));
export const symlink = (s: SFTPWrapper, target: string, link: string): Promise<void> => call(link, (cb) => s.symlink(target, link, cb));
export const chmod = (s: SFTPWrapper, p: string, mode: number): Promise<void> => call(p, (cb) => s.chmod(p, mode, cb));
export const chown = (s: SFTPWrapper, p: string, uid: number, gid: number): Promise<void> => call(p, (cb) => s.chown(p, uid, gid, cb));
/** rename(2) semantics (replaces an existing target atomically): OpenSSH's posix-rename extension. */
export const posixRename = (s: SFTPWrapper, from: string, to: string): Promise<void> => call(to, (cb) => s.ext_openssh_rename(from, to, cb));
/** Plain SFTP rename: fails when the target exists. */
/** A second name for a file (hardlink@openssh.com): same inode, so same mode, owner and bytes. */
export const hardlink = (s: SFTPWrapper, target: string, link: string): Promise<void> => call(link, (cb) => s.ext_openssh_hardlink(target, link, cb));
export const rename = (s: SFTPWrapper, from: string, to: string): Promise<void> => call(to, (cb) => s.rename(from, to, cb));

export async function readdir(s: SFTPWrapper, p: string): Promise<Array<{ name: string; attrs: Stats }>> {
  const list = await call<Array<{ filename: string; attrs: Stats }>>(p, (cb) => s.readdir(p, cb));
  return list.filter((e) => e.filename !== '.' && e.filename !== '..').map((e) => ({ name: e.filename, attrs: e.attrs }));
}

export async function readFile(s: SFTPWrapper, p: string, limit: number): Promise<Buffer> {
  const handle = await call<Buffer>(p, (cb) => s.open(p, 'r', cb));
  try {
    const chunks: Buffer[] = [];
    let pos = 0;
    for (;;) {
      const buf = Buffer.alloc(32 * 1024);
      const n = await call<number>(p, (cb) => s.read(handle, buf, 0, buf.length, pos, (err, bytes) => cb(err, bytes)));
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      pos += n;
      if (pos > limit) throw Object.assign(new Error(`${p} is larger than ${limit} bytes`), { code: SFTP_FAILURE, remotePath: p });
    }
    return Buffer.concat(chunks);
  } finally {
    await call(p, (cb) => s.close(handle, cb)).catch(() => undefined);
  }
}

/**
 * Creates a new file (refusing to overwrite), writes it, sets its mode (and owner), flushes it to
 * disk when the server can (fsync@openssh.com) and closes it.
 */
export async function writeNewFile(
  s: SFTPWrapper,
  p: string,
  data: Buffer,
  mode: number,
  owner: { uid: number; gid: number } | null,
  hasFsync: boolean,
): Promise<void> {
  const handle = await call<Buffer>(p, (cb) => s.open(p, 'wx', { mode }, cb));
  let closed = false;
  try {
    let off = 0;
    while (off < data.length) {
      const len = Math.min(data.length - off, 32 * 1024);
      await call(p, (cb) => s.write(handle, data, off, len, off, cb));
      off += len;
    }
    // open()'s mode passes through the server's umask: set it exactly.
    await call(p, (cb) => s.fchmod(handle, mode, cb));
    if (owner) await call(p, (cb) => s.fchown(handle, owner.uid, owner.gid, cb));
    if (hasFsync) await call(p, (cb) => s.ext_openssh_fsync(handle, cb));
    closed = true;
    await call(p, (cb) => s.close(handle, cb));
  } finally {
    if (!closed) await call(p, (cb) => s.close(handle, cb)).catch(() => undefined);
  }
}

/** Removes a file or a directory tree. Used only on our own temp and old version folders. */
export async function removeTree(s: SFTPWrapper, p: string): Promise<void> {
  const st = await lstat(s, p);
  if (!st.isDirectory()) return unlink(s, p);
  const entries = await readdir(s, p);
  await Promise.all(entries.map((e) => removeTree(s, `${p}/${e.name}`)));
  await rmdir(s, p);
}

/** Whether the server implements an OpenSSH SFTP extension (advertised in its version reply). */
export function hasExtension(s: SFTPWrapper, name: string): boolean {
  const ext = (s as unknown as { _extensions?: Record<string, string> })._extensions;
  return Boolean(ext && Object.prototype.hasOwnProperty.call(ext, name));
}
