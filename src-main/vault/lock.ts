import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
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

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * Holders of each lock file inside this process, in order. In the desktop app two operations (a push
 * recording a host key, a renewal) may want the vault at once: the second waits its turn instead of
 * failing, and the main thread never blocks while it waits.
 */
const queues = new Map<string, Promise<void>>();

/**
 * An exclusive lock file holding the owner's pid. A lock left by a dead process (SIGKILL) is taken
 * over; a live owner (another process, or an earlier holder in this one) is waited for up to
 * `waitMs`, then the caller gets a clear error.
 */
export async function acquireLock(path: string, waitMs = 10_000): Promise<() => void> {
  path = resolve(path);
  const deadline = Date.now() + waitMs;
  const before = queues.get(path) ?? Promise.resolve();
  let leave!: () => void;
  const mine = new Promise<void>((done) => (leave = done));
  const tail = before.then(() => mine);
  queues.set(path, tail);
  const forget = (): void => {
    leave();
    if (queues.get(path) === tail) queues.delete(path);
  };
  let timer: NodeJS.Timeout | undefined;
  const turn = await Promise.race([before.then(() => true), new Promise<false>((done) => (timer = setTimeout(() => done(false), waitMs)))]);
  clearTimeout(timer);
  if (!turn) {
    // Our place in the queue is given up only once the holders before us are done.
    void before.then(forget);
    throw new UserError('vault-locked', 'the vault is busy with another operation of this app; try again when it has finished');
  }
  try {
    const release = await acquireFile(path, deadline);
    return () => {
      release();
      forget();
    };
  } catch (err) {
    forget();
    throw err;
  }
}

async function acquireFile(path: string, deadline: number): Promise<() => void> {
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
      await sleep(20);
      continue;
    }
    // Our own pid: a dead process's lock whose pid we inherited, since this process's holders queue
    // above and only one of them is ever here.
    if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid || !alive(owner)) {
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
    if (Date.now() >= deadline) {
      throw new UserError('vault-locked', `the vault is in use by another Cluster Trust process (pid ${owner}); try again when it has finished`);
    }
    await sleep(50);
  }
}
