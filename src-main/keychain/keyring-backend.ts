import { createRequire } from 'node:module';
import { guardKeychainCall } from './guard.ts';
import type { KeychainBackend } from './types.ts';

interface AsyncEntry {
  getPassword(): Promise<string | null>;
  setPassword(password: string): Promise<void>;
  deletePassword(): Promise<boolean>;
}

interface KeyringModule {
  AsyncEntry: new (service: string, username: string, options?: { linux?: { store?: 'secret-service' | 'keyutils' } }) => AsyncEntry;
  findCredentialsAsync(service: string): Promise<Array<{ account: string; password: string }>>;
}

// On Linux the binding would fall back to the kernel keyring, which forgets everything at logout:
// a CA passphrase kept there would be lost, so only the Secret Service will do.
const OPTIONS = { linux: { store: 'secret-service' as const } };

/** @napi-rs/keyring: prebuilt N-API binaries from npm, so it installs where keytar cannot build. */
export function loadKeyringBackend(service: string): { backend: KeychainBackend | null; error?: string } {
  let mod: KeyringModule;
  try {
    mod = createRequire(import.meta.url)('@napi-rs/keyring') as KeyringModule;
  } catch (err) {
    return { backend: null, error: `cannot load (${(err as Error).message.split('\n')[0]})` };
  }
  // The constructor itself talks to D-Bus and throws where there is no session bus.
  const entry = (account: string): AsyncEntry => new mod.AsyncEntry(service, account, OPTIONS);
  return {
    backend: {
      name: '@napi-rs/keyring',
      get: (account) => guardKeychainCall(() => entry(account).getPassword()),
      set: (account, secret) => guardKeychainCall(() => entry(account).setPassword(secret)),
      delete: (account) => guardKeychainCall(() => entry(account).deletePassword()),
      accounts: () => guardKeychainCall(async () => (await mod.findCredentialsAsync(service)).map((c) => c.account)),
    },
  };
}
