import type { Api, Channel, EventName, Events, IpcError, IpcErrorCode, RequestOf, ResponseOf, WireResult } from '../../src-main/ipc/contract.ts';
import { listenerKey } from '../../src-main/ipc/contract.ts';

declare global {
  interface Window {
    /** Exposed by the preload: exactly the IPC contract. */
    api: Api;
  }
}

/** A failed call, with the main process's code and plain-words message. */
export class ApiError extends Error {
  readonly code: IpcErrorCode;
  readonly field: string | undefined;
  constructor(error: IpcError) {
    super(error.message);
    this.name = 'ApiError';
    this.code = error.code;
    this.field = error.field;
  }
}

let override: Api | null = null;

/** Component tests run without Electron: they hand in their own implementation of the contract. */
export function useApi(api: Api | null): void {
  override = api;
}

function current(): Api {
  const api = override ?? (typeof window !== 'undefined' ? window.api : undefined);
  if (!api) throw new ApiError({ code: 'internal', message: 'the app bridge is missing: this page must run inside Cluster Trust' });
  return api;
}

type Args<K extends Channel> = [RequestOf<K>] extends [void] ? [] : [RequestOf<K>];

/** Calls a channel and unwraps its Result: resolves with the value or rejects with an ApiError. */
export async function call<K extends Channel>(channel: K, ...args: Args<K>): Promise<ResponseOf<K>> {
  const fn = current()[channel] as unknown as (...a: unknown[]) => Promise<WireResult<ResponseOf<K>>>;
  const result = await fn(...args);
  if (!result.ok) throw new ApiError(result.error);
  // Long lists cross as JSON text (see WireResult): far cheaper than cloning 10,000 objects twice.
  return 'json' in result ? (JSON.parse(result.json) as ResponseOf<K>) : result.value;
}

/** Subscribes to a one-way event from main; returns the unsubscribe function. */
export function on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void {
  const subscribe = current()[listenerKey(name)] as unknown as (l: (p: Events[E]) => void) => () => void;
  return subscribe(listener);
}

/** The message to show for anything a call threw. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
