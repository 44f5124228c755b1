import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { UserError } from '../core/errors.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockAge(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
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
    if (!Number.isInteger(owner) && Date.now() - lockAge(path) < 2000) {
      // Its owner created it a moment ago and has not written its pid yet.
      sleep(20);
      continue;
    }
    if (!Number.isInteger(owner) || owner <= 0 || (owner !== process.pid && !alive(owner))) {
      // Stale: its owner died. Remove it only if it still names that owner (another process may
      // have just replaced it), then race again for it; O_EXCL picks one winner.
      let again = '';
      try {
        again = readFileSync(path, 'utf8');
      } catch {
        continue;
      }
      if (Number.parseInt(again, 10) === owner || (!Number.isInteger(owner) && again === '')) rmSync(path, { force: true });
      continue;
    }
    if (owner === process.pid) throw new UserError('vault-locked', 'the vault is already locked by this process (nested write)');
    if (Date.now() >= deadline) {
      throw new UserError('vault-locked', `the vault is in use by another Cluster Trust process (pid ${owner}); try again when it has finished`);
    }
    sleep(50);
  }
}
