import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.ts';
import type { RemovedNode } from '../lifecycle/remove-node.ts';

/** How long main keeps a removed node's record for Undo. */
export const UNDO_SECONDS = 15;

/**
 * The records of removed nodes, kept by main (never by the page) for the undo window, each batch
 * under a random token; taken once. Memory only: after the window, or a restart, the remove stands.
 */
export class RemovedNodes {
  private readonly kept = new Map<string, { removed: RemovedNode[]; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly seconds = UNDO_SECONDS) {}

  get undoSeconds(): number {
    return this.seconds;
  }

  put(removed: RemovedNode[]): string {
    const token = randomBytes(16).toString('hex');
    const timer = setTimeout(() => this.kept.delete(token), this.seconds * 1000);
    timer.unref?.();
    this.kept.set(token, { removed, timer });
    return token;
  }

  take(token: string): RemovedNode[] {
    const entry = this.kept.get(token);
    if (!entry) throw new UserError('not-found', 'the time to undo this remove has passed; add the node again instead');
    clearTimeout(entry.timer);
    this.kept.delete(token);
    return entry.removed;
  }
}
