import { resolve } from 'node:path';
import { homedir } from 'node:os';
import type { SecretStore } from '../keychain/keychain.ts';

/**
 * SSH key passphrases the user chose to keep, in the OS keychain next to the CA passphrase (one
 * account per key file). Only ever read in main, to unlock the key for a push; never sent anywhere.
 */

const ACCOUNT_PREFIX = 'ssh-key:';

/** ~/x and relative paths become the absolute path, so one key file has one account. */
export function keyFilePath(keyFile: string): string {
  if (keyFile === '~') return homedir();
  return keyFile.startsWith('~/') ? resolve(homedir(), keyFile.slice(2)) : resolve(keyFile);
}

export function sshKeyAccount(keyFile: string): string {
  return `${ACCOUNT_PREFIX}${keyFilePath(keyFile)}`;
}

export interface SavedKeyPassphrases {
  /** null when none is kept or the keychain cannot be reached (the user is then asked). */
  get(keyFile: string): Promise<string | null>;
  /** Throws a UserError when the keychain cannot be reached. */
  remember(keyFile: string, passphrase: string): Promise<void>;
  /** True when one was kept. */
  forget(keyFile: string): Promise<boolean>;
  /** The key files with a kept passphrase. */
  list(): Promise<string[]>;
}

export function keychainKeyPassphrases(store: SecretStore): SavedKeyPassphrases {
  return {
    get: async (keyFile) => {
      try {
        return await store.get(sshKeyAccount(keyFile));
      } catch {
        return null;
      }
    },
    remember: (keyFile, passphrase) => store.set(sshKeyAccount(keyFile), passphrase),
    forget: (keyFile) => store.delete(sshKeyAccount(keyFile)),
    list: async () => (await store.accounts()).filter((a) => a.startsWith(ACCOUNT_PREFIX)).map((a) => a.slice(ACCOUNT_PREFIX.length)).sort(),
  };
}
