import { createContext, type CoreContext } from '../../src-main/core/context.ts';
import type { Host } from '../../src-main/ipc/host.ts';

/** An IPC Host for plain-Node tests: one vault, no window; native confirmations answer Cancel unless told OK. */
export function plainHost(home: string, passphraseFile: string, answer: 'ok' | 'cancel' = 'cancel'): Host {
  let ctx: CoreContext | null = null;
  return {
    context: () => (ctx ??= createContext({ home, passphraseFile })),
    resetContext: () => void (ctx = null),
    versions: { app: '0.0.0-test', electron: 'none', platform: process.platform },
    chooseSavePath: async () => null,
    chooseOpenPath: async () => null,
    chooseFolder: async () => null,
    confirm: async () => answer === 'ok',
    writeClipboard: () => {},
    openExternal: async () => {},
  };
}
