import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../errors.ts';

/** Whether a process with this pid exists (one owned by another user counts). */
export function alive(pid: number): boolean {
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
 * An exclusive lock file holding the owner's pid and a random part. A lock left by a dead process
 * (SIGKILL) is taken over by exactly one waiter (see breakStale); a live owner (another process, or
 * an earlier holder in this one) is waited for up to `waitMs`, then the caller gets a clear error.
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
  const mine = ownerToken();
  for (;;) {
    if (createExclusive(path, mine)) {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        removeIfUnchanged(path, mine);
      };
    }
    const held = readIfPresent(path);
    if (held === undefined) continue; // released between our open and read
    const owner = Number.parseInt(held, 10);
    if (!Number.isInteger(owner) && Date.now() - lockAge(path) < 2000) {
      // Its owner created it a moment ago and has not written its pid yet.
      await sleep(20);
      continue;
    }
    // Our own pid: a dead process's lock whose pid we inherited, since this process's holders queue
    // above and only one of them is ever here.
    if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid || !alive(owner)) {
      if (!breakStale(path, held)) await sleep(5);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new UserError('vault-locked', `the vault is in use by another Cluster Trust process (pid ${owner}); try again when it has finished`);
    }
    await sleep(50);
  }
}

/** The content of a lock this process writes: its pid, and a random part so no two locks ever read the same. */
function ownerToken(): string {
  return `${process.pid} ${randomBytes(8).toString('hex')}\n`;
}

function createExclusive(path: string, content: string): boolean {
  try {
    writeFileSync(path, content, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Safe only while nobody else may remove or replace `path` (its owner is us, or dead and we break it). */
function removeIfUnchanged(path: string, content: string): void {
  if (readIfPresent(path) === content) rmSync(path, { force: true });
}

/**
 * Removes a dead owner's lock whose content read `held`, if no other process is doing so; true when
 * this call settled it. Reading the pid and then deleting the file is not atomic: a racer could
 * have replaced the stale lock by its own live one in between, which the delete would then destroy
 * (two holders, lost updates). So exactly one process breaks a given lock: the one that creates its
 * breaker file (named after the lock's content, unique per taking). While it holds that file nobody
 * else can remove or replace the stale lock, so checking the content and then deleting is safe. A
 * breaker that died itself leaves a breaker file naming a dead pid, broken the same way one level down.
 * Names start with "." and end with ".tmp", so backups skip them like other temp files.
 */
function breakStale(path: string, held: string, depth = 0): boolean {
  const breaker = `${path}.break-${createHash('sha256').update(held).digest('hex').slice(0, 16)}.tmp`;
  const mine = ownerToken();
  if (createExclusive(breaker, mine)) {
    try {
      removeIfUnchanged(path, held);
    } finally {
      removeIfUnchanged(breaker, mine);
    }
    return true;
  }
  const other = readIfPresent(breaker);
  if (other === undefined) return true;
  const owner = Number.parseInt(other, 10);
  const dead = Number.isInteger(owner) ? owner <= 0 || owner === process.pid || !alive(owner) : Date.now() - lockAge(breaker) >= 2000;
  if (dead && depth < 8) breakStale(breaker, other, depth + 1);
  return false;
}
