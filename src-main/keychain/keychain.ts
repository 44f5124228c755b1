import { keychainUnavailable } from './guard.ts';
import { loadKeytarBackend } from './keytar-backend.ts';
import { loadKeyringBackend } from './keyring-backend.ts';
import { mirroredStore } from './mirrored-store.ts';
import type { KeychainBackend, SecretStore } from './types.ts';

export type { KeychainBackend, SecretStore } from './types.ts';
export { keychainUnavailable } from './guard.ts';

export const KEYCHAIN_SERVICE = 'Cluster Trust';

/**
 * The service @napi-rs/keyring's entries go under. On Linux it must differ from keytar's: keytar's
 * findCredentials crashes the process (strdup of a missing "account" attribute) on any item of its
 * service that another binding wrote. Elsewhere both bindings keep the same item shape.
 */
export function keyringService(platform: NodeJS.Platform = process.platform): string {
  return platform === 'linux' || platform === 'freebsd' ? `${KEYCHAIN_SERVICE} (keyring)` : KEYCHAIN_SERVICE;
}

export type BackendChoice = 'auto' | 'keytar' | 'keyring';

export interface KeychainInfo {
  /** The binding in use, or null when neither loads. */
  backend: KeychainBackend['name'] | null;
  /** Whether the keychain answered just now. */
  reachable: boolean;
  /** One sentence for the user: what is in use, or why nothing is. */
  detail: string;
}

export function backendChoice(env: NodeJS.ProcessEnv = process.env): BackendChoice {
  const v = env.CLUSTER_TRUST_KEYCHAIN;
  if (v === 'keytar' || v === 'keyring') return v;
  return 'auto';
}

interface Selected {
  store: SecretStore;
  primary: KeychainBackend | null;
  whyNone: string;
}

/**
 * keytar where it loads (the binding the product started with), else @napi-rs/keyring, which npm
 * installs prebuilt. With both loadable, every write lands in both formats: on Linux they keep
 * different attributes in the Secret Service, and neither finds the other's entries by itself.
 */
export function selectKeychain(choice: BackendChoice = backendChoice()): Selected {
  const keytar = choice === 'keyring' ? { backend: null, error: 'not chosen' } : loadKeytarBackend(KEYCHAIN_SERVICE);
  const keyring = choice === 'keytar' ? { backend: null, error: 'not chosen' } : loadKeyringBackend(keyringService());
  const primary = keytar.backend ?? keyring.backend;
  const secondary = keytar.backend ? keyring.backend : null;
  const whyNone = `keytar: ${keytar.error ?? 'loaded'}; @napi-rs/keyring: ${keyring.error ?? 'loaded'}`;
  if (!primary) {
    const fail = (): Promise<never> => Promise.reject(keychainUnavailable(`no keychain binding loads here: ${whyNone}`));
    return { store: { get: fail, set: fail, delete: fail, accounts: fail }, primary: null, whyNone };
  }
  return { store: mirroredStore(primary, secondary), primary, whyNone };
}

let selected: Selected | null = null;

function current(): Selected {
  // Native modules load lazily, so the CLI starts fast and works with a passphrase file where none loads.
  return (selected ??= selectKeychain());
}

export const osKeychain: SecretStore = {
  get: (account) => current().store.get(account),
  set: (account, secret) => current().store.set(account, secret),
  delete: (account) => current().store.delete(account),
  accounts: () => current().store.accounts(),
};

/** Which binding is in use and whether the keychain answers (listing our accounts is harmless). */
export async function describeKeychain(store: SecretStore = osKeychain, sel: () => Selected = current): Promise<KeychainInfo> {
  const { primary, whyNone } = sel();
  if (!primary) return { backend: null, reachable: false, detail: `no keychain binding loads here (${whyNone})` };
  try {
    await store.accounts();
    return { backend: primary.name, reachable: true, detail: `the OS keychain through ${primary.name}` };
  } catch (err) {
    return { backend: primary.name, reachable: false, detail: (err as Error).message };
  }
}
