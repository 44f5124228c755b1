import { UserError } from '../errors.ts';
import type { NodeRecord } from '../vault/schema.ts';
import type { KeyRing } from './auth.ts';
import { abortError, connect, ConnectError, type SshSession } from './connection.ts';
import type { HostKeyFiles, UnknownHostKeyHandler } from './host-keys.ts';
import { abortableSleep as sleep } from './sleep.ts';

/** How every operation that logs in to a node (push, keys made on the node) connects. */

export const DEFAULT_RETRIES = 2;
const RETRY_BACKOFF_MS = 500;

export interface NodeConnectOptions {
  ring: KeyRing;
  hostKeys: HostKeyFiles;
  /** Extra connection attempts when a node cannot be reached. Nothing else is retried. */
  retries?: number;
  /** Like OpenSSH's accept-new: record unknown host keys; changed keys still refuse. */
  acceptNewHostKeys?: boolean;
  /** Asked about each unknown host key (the GUI's prompt); wins over acceptNewHostKeys. */
  onUnknownHostKey?: UnknownHostKeyHandler;
  /** A dry run uses an accepted host key for this connection but does not write it down. */
  dryRun?: boolean;
}

/** Connects with the node's SSH target, retrying only failures to reach it, within `deadline`. */
export async function connectWithRetries(
  opts: NodeConnectOptions,
  node: NodeRecord,
  signal: AbortSignal,
  deadline: number,
  onAttempt: (n: number) => void,
  onRetry: (nextAttempt: number, why: string) => void,
): Promise<SshSession> {
  const retries = opts.retries ?? DEFAULT_RETRIES;
  const accept: UnknownHostKeyHandler | undefined = opts.onUnknownHostKey ?? (opts.acceptNewHostKeys ? () => true : undefined);
  for (let attempt = 1; ; attempt++) {
    onAttempt(attempt);
    try {
      return await connect({
        node: node.name,
        target: node.ssh!,
        ring: opts.ring,
        hostKeys: opts.hostKeys,
        ...(accept ? { onUnknownHostKey: accept } : {}),
        recordAcceptedKeys: !opts.dryRun,
        timeoutMs: Math.max(1000, deadline - Date.now()),
        signal,
      });
    } catch (err) {
      if (!(err instanceof ConnectError) || attempt > retries || signal.aborted) throw err;
      onRetry(attempt + 1, `${err.message}; trying again`);
      await sleep(RETRY_BACKOFF_MS * attempt, signal);
      if (signal.aborted) throw abortError(signal, 'waiting to reconnect');
    }
  }
}

export interface NodeBudget {
  /** Aborts at the node's deadline (reason: a "timed out" UserError) or when the whole run is cancelled. */
  signal: AbortSignal;
  deadline: number;
  dispose(): void;
}

/** One node's time budget; an abort drops its SSH session at once, so pending calls fail. */
export function nodeBudget(outer: AbortSignal, timeoutMs: number, session: () => SshSession | null): NodeBudget {
  const ctl = new AbortController();
  const onOuterAbort = (): void => ctl.abort(outer.reason);
  outer.addEventListener('abort', onOuterAbort, { once: true });
  const timer = setTimeout(() => ctl.abort(new UserError('timeout', `timed out after ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  ctl.signal.addEventListener('abort', () => session()?.destroy(), { once: true });
  return {
    signal: ctl.signal,
    deadline: Date.now() + timeoutMs,
    dispose: () => {
      clearTimeout(timer);
      outer.removeEventListener('abort', onOuterAbort);
    },
  };
}
