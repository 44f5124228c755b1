import { readFileSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { UserError, invalid } from '../core/errors.ts';
import { assertPrivateSecretFile } from './secret-file.ts';
import type { SecretStore } from './keychain.ts';

export const MIN_PASSPHRASE_LENGTH = 12;

/** Where a passphrase comes from: a file the user named (headless use) or the OS keychain. */
export interface PassphraseSource {
  file?: string;
  keychain: SecretStore;
}

export function passphraseFileFrom(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return explicit || env.CLUSTER_TRUST_PASSPHRASE_FILE || undefined;
}

export function readPassphraseFile(file: string): string {
  assertPrivateSecretFile(file, 'passphrase file');
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new Error('not a regular file');
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError('no-passphrase', `cannot read the passphrase file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // One trailing newline is what `echo` leaves; anything else is part of the passphrase.
  const pass = text.replace(/\r?\n$/, '');
  if (pass.length === 0) throw new UserError('no-passphrase', `the passphrase file ${file} is empty`);
  return pass;
}

export function checkChosenPassphrase(pass: string): string {
  if (pass.length < MIN_PASSPHRASE_LENGTH) throw invalid(`the passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long`);
  return pass;
}

export function generatePassphrase(): string {
  return randomBytes(32).toString('base64url');
}

/** The account a CA's passphrase is stored under: its SHA-256 fingerprint. */
export function keychainAccount(caFingerprint: string): string {
  return `ca-${caFingerprint}`;
}

export async function lookupPassphrase(src: PassphraseSource, caFingerprint: string): Promise<string> {
  if (src.file) return readPassphraseFile(src.file);
  let found: string | null;
  try {
    found = await src.keychain.get(keychainAccount(caFingerprint));
  } catch (err) {
    if (err instanceof UserError && err.code === 'keychain-unavailable') {
      throw new UserError('no-passphrase', `no passphrase for the CA: ${err.message}`);
    }
    throw err;
  }
  if (!found) {
    throw new UserError('no-passphrase', `the OS keychain has no passphrase for this CA (account ${keychainAccount(caFingerprint)}); pass --passphrase-file FILE (or set CLUSTER_TRUST_PASSPHRASE_FILE)`);
  }
  return found;
}
