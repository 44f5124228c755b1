import { createRequire } from 'node:module';
import { UserError } from '../core/errors.ts';

export const KEYCHAIN_SERVICE = 'Cluster Trust';

/** The OS secret store (Secret Service, macOS Keychain, Windows Credential Manager). */
export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
  /** The accounts this app keeps (never their secrets). */
  accounts(): Promise<string[]>;
}

interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

function unavailable(detail: string): UserError {
  return new UserError(
    'keychain-unavailable',
    `the OS keychain is not reachable (${detail}); unlock or start it (Secret Service / Keychain / Credential Manager), or pass --passphrase-file FILE (or set CLUSTER_TRUST_PASSPHRASE_FILE)`,
  );
}

let keytar: Keytar | null = null;

function loadKeytar(): Keytar {
  if (keytar) return keytar;
  try {
    // Native module: loaded lazily so the CLI works (with a passphrase file) where it cannot load.
    keytar = createRequire(import.meta.url)('keytar') as Keytar;
    return keytar;
  } catch (err) {
    throw unavailable(`keytar could not be loaded: ${(err as Error).message.split('\n')[0]}`);
  }
}

async function guarded<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw unavailable((err as Error).message.split('\n')[0] ?? 'unknown error');
  }
}

export const osKeychain: SecretStore = {
  get: (account) => guarded(() => loadKeytar().getPassword(KEYCHAIN_SERVICE, account)),
  set: (account, secret) => guarded(() => loadKeytar().setPassword(KEYCHAIN_SERVICE, account, secret)),
  delete: (account) => guarded(() => loadKeytar().deletePassword(KEYCHAIN_SERVICE, account)),
  accounts: () => guarded(async () => (await loadKeytar().findCredentials(KEYCHAIN_SERVICE)).map((c) => c.account)),
};
