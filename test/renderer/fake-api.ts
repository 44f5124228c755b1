import type { Api, AppInfo, CaView, Channel, EventName, Events, NodeRow, RequestOf, ResponseOf, Result } from '../../src-main/ipc/contract.ts';
import { INVOKE_CHANNELS, EVENT_CHANNELS, listenerKey } from '../../src-main/ipc/contract.ts';

type Impl = { [K in Channel]?: (request: RequestOf<K>) => ResponseOf<K> | Promise<ResponseOf<K>> };

/**
 * A stand-in for window.api with the contract's exact shape: tests script the answers per channel,
 * record every call, and push events as main would.
 */
export function fakeApi(impl: Impl = {}) {
  const calls: Array<{ channel: Channel; request: unknown }> = [];
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const api: Record<string, unknown> = {};
  for (const channel of INVOKE_CHANNELS) {
    api[channel] = async (request?: unknown): Promise<Result<unknown>> => {
      calls.push({ channel, request });
      // Unless a test scripts it, every list is new: a focus reloads it, as before revisions existed.
      const fn = (impl[channel] ?? (channel === 'nodesRevision' ? () => `fake-${calls.length}` : undefined)) as ((r: unknown) => unknown) | undefined;
      if (!fn) return { ok: false, error: { code: 'internal', message: `no fake for ${channel}` } };
      try {
        return { ok: true, value: await fn(request) };
      } catch (err) {
        const e = err as { code?: string; message: string };
        return { ok: false, error: { code: (e.code ?? 'internal') as never, message: e.message } };
      }
    };
  }
  for (const name of EVENT_CHANNELS) {
    api[listenerKey(name)] = (listener: (p: unknown) => void) => {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name)!.add(listener);
      return () => listeners.get(name)!.delete(listener);
    };
  }
  return {
    api: api as unknown as Api,
    calls,
    emit<E extends EventName>(name: E, payload: Events[E]) {
      for (const l of listeners.get(name) ?? []) l(payload);
    },
  };
}

/** Fails a fake call the way main does: a typed error. */
export function fail(code: string, message: string): never {
  throw Object.assign(new Error(message), { code });
}

export const INFO: AppInfo = {
  version: '0.1.0',
  electron: '25.1.1',
  platform: 'linux',
  vaultHome: '/home/u/.config/Cluster Trust/vault',
  keyTypes: ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'],
  defaultKeyType: 'ecdsa-p256',
  caDefaultDays: 3650,
  caMaxDays: 36500,
  leafDefaultDays: 397,
  leafMaxDays: 825,
  profiles: [
    { id: 'generic-server', title: 'Generic TLS server', server: true, client: false, loopback: false, options: [] },
    { id: 'generic-client', title: 'Generic TLS client', server: false, client: true, loopback: false, options: [] },
  ],
  defaultProfile: 'generic-server',
  bundleFormats: [
    { id: 'dir', label: 'Folder', available: true },
    { id: 'tar', label: 'Archive (.tar.gz)', available: true },
    { id: 'p12', label: 'PKCS#12 (.p12)', available: false, note: 'not in this build' },
  ],
  links: [],
  limits: { csrBytes: 65536, bulkLines: 5000 },
  interruptedRestore: null,
};

export const CA: CaView = {
  id: '0123456789abcdef',
  name: 'Test CA',
  subject: 'CN=Test CA, O=Cluster Trust',
  issuer: 'CN=Test CA, O=Cluster Trust',
  serial: '01',
  keyType: 'ecdsa-p256',
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2036-01-01T00:00:00.000Z',
  daysLeft: 3300,
  state: 'ok',
  sha256: 'ab'.repeat(32),
  sha1: 'cd'.repeat(20),
  imported: false,
  passphraseIn: 'keychain',
  passphraseLocation: 'in the OS keychain (service "Cluster Trust", account "ca-abab")',
  locked: false,
  vaultHome: '/vault',
  nameConstraints: null,
  warnings: [],
  root: null,
};

export function row(name: string, over: Partial<NodeRow> = {}): NodeRow {
  return {
    name,
    profile: 'generic-server',
    profileTitle: 'Generic TLS server',
    dns: [],
    ips: ['10.0.0.1'],
    server: true,
    client: false,
    keyType: null,
    state: 'none',
    daysLeft: null,
    notAfter: null,
    lastIssued: null,
    serial: null,
    missing: [],
    sharedIps: [],
    ...over,
  };
}
