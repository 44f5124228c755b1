/**
 * The preload: runs sandboxed, before the page, in an isolated world. It exposes exactly the IPC
 * contract as `window.api` (one function per channel, one subscriber per event) and nothing else:
 * never ipcRenderer, never an event object, never a Node API.
 *
 * Bundled to CommonJS that requires only 'electron' (a sandboxed preload cannot load anything else).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_CHANNELS, INVOKE_CHANNELS, listenerKey, wireName, type Api, type EventName, type Events } from './ipc/contract.ts';

const api: Record<string, unknown> = {};

for (const channel of INVOKE_CHANNELS) {
  // Exactly one argument crosses, whatever the page passes.
  api[channel] = (request?: unknown) => ipcRenderer.invoke(wireName(channel), request);
}

function subscribe<E extends EventName>(name: E) {
  return (listener: (payload: Events[E]) => void): (() => void) => {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    // The page gets the payload only: the IPC event would hand it `sender`, i.e. ipcRenderer.
    const wrapped = (_event: unknown, payload: Events[E]) => listener(payload);
    ipcRenderer.on(wireName(name), wrapped);
    return () => {
      ipcRenderer.removeListener(wireName(name), wrapped);
    };
  };
}

for (const name of EVENT_CHANNELS) api[listenerKey(name)] = subscribe(name);

contextBridge.exposeInMainWorld('api', Object.freeze(api) as Api);
