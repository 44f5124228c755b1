import { createRequire } from 'node:module';
import { guardKeychainCall } from './guard.ts';
import type { KeychainBackend } from './types.ts';

interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

/** keytar: an optional dependency, since building it needs libsecret's headers that fresh machines lack. */
export function loadKeytarBackend(service: string): { backend: KeychainBackend | null; error?: string } {
  let kt: Keytar;
  try {
    kt = createRequire(import.meta.url)('keytar') as Keytar;
  } catch (err) {
    return { backend: null, error: `cannot load (${(err as Error).message.split('\n')[0]})` };
  }
  return {
    backend: {
      name: 'keytar',
      get: (account) => guardKeychainCall(() => kt.getPassword(service, account)),
      set: (account, secret) => guardKeychainCall(() => kt.setPassword(service, account, secret)),
      delete: (account) => guardKeychainCall(() => kt.deletePassword(service, account)),
      accounts: () => guardKeychainCall(async () => (await kt.findCredentials(service)).map((c) => c.account)),
    },
  };
}
