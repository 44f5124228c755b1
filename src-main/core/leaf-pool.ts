import { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { toUserError, UserError, type ErrorCode } from '../errors.ts';
import type { UnlockedCa } from './ca.ts';
import { makeLeafRun, type LeafJob, type LeafOutput } from './leaf-work.ts';
import type { FromWorker, ToWorker } from './leaf-worker.ts';

// The one compute pool: bulk keygen and signing (issue --all, renewals of many) run on worker
// threads and on the main thread together, a lane each; the main thread alone then records the
// results in one vault transaction. (SSH's I/O limiter, ssh/pool.ts, stays separate: it waits on
// the network, not on a core.)

/** Below this many leaves the main thread makes them alone: a worker costs ~100 ms of CPU to start (evaluating its bundle), about 100-200 leaves of work. */
export const POOL_MIN_LEAVES = 200;

/** Workers beside the main thread, which is a lane too: one per core but the main thread's. */
export function poolWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** How the worker is started: from source under tsx (tests, bench), else the built bundle beside this one. */
function startWorker(): Worker {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    // tsx's --import hooks do not reach workers: register its require hook there first.
    const tsx = createRequire(here).resolve('tsx/cjs');
    return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(join(dirname(here), 'leaf-worker.ts'))});`, { eval: true });
  }
  // The bundle is read by this thread and evaluated by the worker: in the packaged app dist/ is inside
  // app.asar, which Electron's fs reads here but a worker's own module loader might not.
  return new Worker(readFileSync(join(dirname(here), 'leaf-worker.cjs'), 'utf8'), { eval: true });
}

export interface LeafRunOptions {
  /** Called as each leaf is made, in the order they finish. */
  onEach?: (index: number) => void;
  /** Worker threads to start (default: poolWorkers(); 0: the main thread alone). */
  workers?: number;
  /** Whether the main thread is a lane too (default true; false keeps it free, all work on workers). */
  mainLane?: boolean;
}

/**
 * Makes every leaf of a batch; results in input order. A worker that fails or dies fails the whole
 * batch with a clear error (nothing is recorded: the caller writes the vault only after this returns).
 */
export async function makeLeaves(ca: UnlockedCa, jobs: LeafJob[], opts: LeafRunOptions = {}): Promise<LeafOutput[]> {
  const workers = jobs.length < POOL_MIN_LEAVES ? 0 : opts.workers ?? poolWorkers();
  if (workers === 0) return makeLeafRun(ca, ca.kek, jobs, 16, opts.onEach);
  const rsa = jobs.some((j) => j.keyType.startsWith('rsa'));
  const laneCount = workers + (opts.mainLane === false ? 0 : 1);
  // Small chunks for RSA (a key takes ~0.1-1 s) and enough chunks per lane that lanes finish together.
  const size = Math.max(1, Math.min(rsa ? 2 : 64, Math.ceil(jobs.length / (laneCount * 4))));
  const chunks: number[] = [];
  for (let i = 0; i < jobs.length; i += size) chunks.push(i);
  const out = new Array<LeafOutput>(jobs.length);
  let nextChunk = 0;
  const take = (): [number, number] | null => {
    if (nextChunk >= chunks.length) return null;
    const start = chunks[nextChunk++]!;
    return [start, Math.min(start + size, jobs.length)];
  };
  const started: Worker[] = [];
  const starting = new Set<(v: unknown) => void>();
  let failed: UserError | null = null;
  const fail = (err: UserError): UserError => (failed ??= err);
  try {
    // The CA key crosses as a KeyObject clone within this process (never serialized to disk or a
    // string): the worker needs it to sign, and holds it only while this batch runs.
    const key = KeyObject.from(ca.signingKey);
    const workerLane = async (): Promise<void> => {
      const worker = startWorker();
      started.push(worker);
      worker.postMessage({ type: 'init', certPem: ca.certPem, key, kek: new Uint8Array(ca.kek) } satisfies ToWorker);
      let pending: { resolve: (m: FromWorker) => void; reject: (e: UserError) => void } | null = null;
      const died = (why: string) => {
        const err = fail(new UserError('internal', `a signing worker stopped (${why}); nothing was recorded: run the command again`));
        pending?.reject(err);
      };
      worker.on('message', (m: FromWorker) => pending?.resolve(m));
      worker.on('error', (e) => died(e.message));
      worker.on('exit', (code) => {
        if (pending) died(`exit code ${code}`);
      });
      // Work is handed out only once the worker can sign: a small batch may be done by the main lane
      // first, which then releases this wait instead of waiting for a worker it no longer needs.
      let release: (v: unknown) => void = () => undefined;
      await new Promise<unknown>((resolve, reject) => {
        pending = { resolve, reject };
        release = resolve;
        starting.add(resolve);
      });
      starting.delete(release);
      pending = null;
      for (let range = take(); range && !failed; range = take()) {
        const [start, end] = range;
        const reply = await new Promise<FromWorker>((resolve, reject) => {
          pending = { resolve, reject };
          worker.postMessage({ type: 'run', id: start, jobs: jobs.slice(start, end) } satisfies ToWorker);
        });
        pending = null;
        if (reply.type === 'failed') throw fail(new UserError(reply.code as ErrorCode, reply.message, reply.appMessage));
        if (reply.type !== 'done') throw fail(new UserError('internal', 'a signing worker answered out of turn; nothing was recorded: run the command again'));
        reply.leaves.forEach((leaf, i) => {
          out[start + i] = leaf;
          opts.onEach?.(start + i);
        });
      }
    };
    const mainLane = async (): Promise<void> => {
      try {
        for (let range = take(); range && !failed; range = take()) {
          const [start, end] = range;
          const leaves = await makeLeafRun(ca, ca.kek, jobs.slice(start, end), 4);
          leaves.forEach((leaf, i) => {
            out[start + i] = leaf;
            opts.onEach?.(start + i);
          });
        }
      } catch (err) {
        throw fail(toUserError(err));
      } finally {
        for (const release of starting) release(null);
      }
    };
    const lanes = Array.from({ length: workers }, workerLane);
    if (opts.mainLane !== false) lanes.push(mainLane());
    const results = await Promise.allSettled(lanes);
    for (const r of results) if (r.status === 'rejected') throw failed ?? r.reason;
    if (failed) throw failed;
    return out;
  } finally {
    await Promise.all(started.map((w) => w.terminate()));
  }
}
