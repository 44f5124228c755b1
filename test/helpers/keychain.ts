import { shResult } from './cli.ts';

/**
 * Removes one of the app's secrets from the test session's Secret Service in both bindings' formats
 * (keytar: service + account; @napi-rs/keyring: its own service + username), as a new machine or a
 * forgotten entry would be. Clearing only one would leave the other binding's copy to be found.
 */
export function forgetInKeychain(account: string): void {
  shResult('secret-tool', ['clear', 'service', 'Cluster Trust', 'account', account]);
  shResult('secret-tool', ['clear', 'service', 'Cluster Trust (keyring)', 'username', account]);
}
