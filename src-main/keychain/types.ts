/** The OS secret store (Secret Service, macOS Keychain, Windows Credential Manager). */
export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
  /** The accounts this app keeps (never their secrets). */
  accounts(): Promise<string[]>;
}

/** One native binding to the OS keychain. */
export interface KeychainBackend extends SecretStore {
  name: 'keytar' | '@napi-rs/keyring';
}
