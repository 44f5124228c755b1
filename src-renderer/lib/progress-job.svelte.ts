import type { EventName, Events } from '../../src-main/ipc/contract.ts';
import { call, on } from './api.ts';

/** The events that report a running job's progress; each payload names its job. */
type JobEvent = { [E in EventName]: Events[E] extends { jobId: string } ? E : never }[EventName];

let counter = 0;

/**
 * One long job main runs with progress events (bulk issue, renewals, pushes): a fresh job id per
 * run, only that job's events reach the listeners, they are dropped when the job ends, and a push
 * can be cancelled. Every screen with such a job uses this instead of its own bookkeeping.
 */
export class ProgressJob {
  /** The running job's id (null when idle): what a prompt tied to the job (SSH key passphrases) follows. */
  id = $state<string | null>(null);
  readonly running = $derived(this.id !== null);

  constructor(private readonly prefix: string) {}

  /** Runs `start` with a new job id; `listen` subscribes to that job's events only, for as long as it runs. */
  async run<T>(start: (jobId: string) => Promise<T>, listen: (follow: <E extends JobEvent>(event: E, handler: (payload: Events[E]) => void) => void) => void = () => {}): Promise<T> {
    const id = `${this.prefix}-${Date.now().toString(36)}-${++counter}`;
    const offs: Array<() => void> = [];
    listen((event, handler) => {
      offs.push(on(event, (p) => {
        if ((p as { jobId: string }).jobId === id) handler(p);
      }));
    });
    this.id = id;
    try {
      return await start(id);
    } finally {
      offs.forEach((off) => off());
      if (this.id === id) this.id = null;
    }
  }

  /** Asks main to stop the running push (nodes not done yet end as cancelled). */
  async cancel(): Promise<boolean> {
    if (!this.id) return false;
    return (await call('cancelPush', { jobId: this.id })).cancelled;
  }
}
