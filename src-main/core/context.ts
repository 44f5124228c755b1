import { Vault } from '../vault/vault.ts';
import { resolveHome } from '../vault/home.ts';
import { osKeychain, type SecretStore } from '../keychain/keychain.ts';
import { passphraseFileFrom } from '../keychain/passphrase.ts';

/** What every core operation needs: the vault, where passphrases come from, and the clock. */
export interface CoreContext {
  vault: Vault;
  passphraseFile?: string;
  keychain: SecretStore;
  now: () => Date;
}

export function createContext(opts: { home?: string; passphraseFile?: string; keychain?: SecretStore; env?: NodeJS.ProcessEnv } = {}): CoreContext {
  const env = opts.env ?? process.env;
  return {
    vault: Vault.open(resolveHome(opts.home, env)),
    passphraseFile: passphraseFileFrom(opts.passphraseFile, env),
    keychain: opts.keychain ?? osKeychain,
    now: () => new Date(),
  };
}
