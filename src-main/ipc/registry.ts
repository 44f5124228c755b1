import { toUserError } from '../errors.ts';
import { REQUEST_SCHEMAS } from './schemas.ts';
import { senderInfo, senderProblem } from './guard.ts';
import { INVOKE_CHANNELS, JSON_TEXT_CHANNELS, wireName, type Channel, type EventName, type Events, type IpcError, type RequestOf, type ResponseOf, type Result, type WireResult } from './contract.ts';
import type { CallContext } from './host.ts';
import { jsonTextOf } from './view-cache.ts';
import type { Handlers } from './handlers/types.ts';
import type { z } from 'zod';

function schemaError(error: z.ZodError): IpcError {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  const message = issue?.message ?? 'invalid request';
  return { code: 'invalid-input', message: field ? `${field}: ${message}` : `invalid request: ${message}`, ...(field ? { field } : {}) };
}

const isChannel = (name: string): name is Channel => (INVOKE_CHANNELS as readonly string[]).includes(name);

/**
 * Validates a raw request against its channel's schema, runs the handler, and turns every outcome
 * into a Result: the renderer gets a value or one plain sentence with a code, never a stack trace.
 */
export async function dispatch<K extends Channel>(handlers: Handlers, channel: K, raw: unknown, call: CallContext): Promise<Result<ResponseOf<K>>> {
  if (!isChannel(channel)) return { ok: false, error: { code: 'refused', message: `unknown channel "${String(channel)}"` } };
  const parsed = REQUEST_SCHEMAS[channel].safeParse(raw);
  if (!parsed.success) return { ok: false, error: schemaError(parsed.error) };
  try {
    const handler = handlers[channel] as (request: RequestOf<K>, call: CallContext) => Promise<ResponseOf<K>> | ResponseOf<K>;
    return { ok: true, value: await handler(parsed.data as RequestOf<K>, call) };
  } catch (err) {
    const e = toUserError(err);
    if (e.code === 'internal') console.error(`cluster-trust: ${channel} failed:`, err);
    return { ok: false, error: { code: e.code, message: e.appMessage } };
  }
}

/** The parts of Electron's ipcMain and events the registry uses (so it can be exercised without Electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface InvokeEventLike {
  sender: { id: number; mainFrame: { url: string; routingId: number; processId: number }; isDestroyed(): boolean; send(channel: string, payload: unknown): void };
  senderFrame?: { url: string; routingId: number; processId: number } | null;
}

/** Sends a typed one-way event to a window. */
export function emitTo<E extends EventName>(target: { isDestroyed(): boolean; send(channel: string, payload: unknown): void }, name: E, payload: Events[E]): void {
  if (!target.isDestroyed()) target.send(wireName(name), payload);
}

export const REFUSED: IpcError = { code: 'refused', message: 'this window may not use Cluster Trust functions' };

/**
 * One ipcMain handler per channel. A message whose sender is not one of our windows' top frames
 * showing our own page is dropped: the handler never runs and the caller gets `refused`.
 */
export function registerIpc(ipc: IpcMainLike, handlers: Handlers, trusted: ReadonlySet<number>, log: (line: string) => void = console.warn): () => void {
  for (const channel of INVOKE_CHANNELS) {
    ipc.handle(wireName(channel), async (event, raw) => {
      const problem = senderProblem(senderInfo(event), trusted);
      if (problem) {
        log(`cluster-trust: dropped ${channel}: ${problem}`);
        return { ok: false, error: REFUSED } satisfies Result<never>;
      }
      const result = await dispatch(handlers, channel, raw, { emit: (name, payload) => emitTo(event.sender, name, payload) });
      return result.ok && JSON_TEXT_CHANNELS.has(channel) ? ({ ok: true, json: jsonTextOf(result.value) } satisfies WireResult<never>) : result;
    });
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipc.removeHandler(wireName(channel));
  };
}
