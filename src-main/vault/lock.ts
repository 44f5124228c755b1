import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { UserError } from '../core/errors.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * An exclusive lock file holding the owner's pid. A lock left by a dead process (SIGKILL) is taken
 * over; a live owner is waited for up to `waitMs`, then the caller gets a clear error.
 */
export function acquireLock(path: string, waitMs = 10_000): () => void {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner = NaN;
    try {
      owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
    } catch {
      continue; // released between our open and read
    }
    if (!Number.isInteger(owner) || owner <= 0 || (owner !== process.pid && !alive(owner))) {
      // Stale: its owner died. Remove and race again for it; O_EXCL picks one winner.
      rmSync(path, { force: true });
      continue;
    }
    if (owner === process.pid) throw new UserError('vault-locked', 'the vault is already locked by this process (nested write)');
    if (Date.now() >= deadline) {
      throw new UserError('vault-locked', `the vault is in use by another Cluster Trust process (pid ${owner}); try again when it has finished`);
    }
    sleep(50);
  }
}
