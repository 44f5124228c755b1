import { Vault } from '../vault/vault.ts';
import { resolveHome } from '../vault/home.ts';
import { osKeychain, type SecretStore } from '../keychain/keychain.ts';
import { passphraseFileFrom, type AskPassphrase } from '../keychain/passphrase.ts';
import { processPassphrases, type SessionPassphrases } from '../keychain/session-passphrases.ts';

/** What every core operation needs: the vault, where passphrases come from, and the clock. */
export interface CoreContext {
  vault: Vault;
  passphraseFile?: string;
  keychain: SecretStore;
  /** CA passphrases the user typed this session (memory only). */
  session: SessionPassphrases;
  /** Asks the user for a passphrase where the front end can (a terminal); absent: never asks. */
  askPassphrase?: AskPassphrase;
  now: () => Date;
  /** The expiry warning threshold in days the user set (the app's settings); absent: DEFAULT_WARN_DAYS. */
  warnDays?: () => number;
}

export function createContext(opts: { home?: string; passphraseFile?: string; keychain?: SecretStore; env?: NodeJS.ProcessEnv; askPassphrase?: AskPassphrase } = {}): CoreContext {
  const env = opts.env ?? process.env;
  return {
    vault: Vault.open(resolveHome(opts.home, env)),
    passphraseFile: passphraseFileFrom(opts.passphraseFile, env),
    keychain: opts.keychain ?? osKeychain,
    session: processPassphrases,
    askPassphrase: opts.askPassphrase,
    now: () => new Date(),
  };
}
