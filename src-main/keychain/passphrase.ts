import { readFileSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { UserError, invalid } from '../errors.ts';
import { assertPrivateSecretFile } from './secret-file.ts';
import type { SecretStore } from './types.ts';
import type { SessionPassphrases } from './session-passphrases.ts';

export const MIN_PASSPHRASE_LENGTH = 12;

/**
 * Asks the user for a CA's passphrase (a terminal, or the app); null when they give up.
 * 'export-key': a new passphrase for a key file that leaves the vault; 'key-file': the passphrase of such a file.
 */
export type AskPassphrase = (req: { caName: string; purpose: 'create' | 'unlock' | 'export-key' | 'key-file'; attempt: number }) => Promise<string | null>;

/** Where a CA's passphrase comes from: a file the user named, the OS keychain, or the user's typing. */
export interface PassphraseSource {
  file?: string;
  keychain: SecretStore;
  session: SessionPassphrases;
  ask?: AskPassphrase;
}

/** A CA as far as finding its passphrase goes. */
export interface PassphraseOwner {
  name: string;
  fingerprint: string;
  passphraseIn: 'keychain' | 'file' | 'typed';
}

const UNLOCK_ATTEMPTS = 3;

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

/**
 * The passphrase of a CA. `opens` says whether a candidate opens the CA's key: a typed one is
 * checked before it is kept for the session, so a typo never sticks.
 */
export async function lookupPassphrase(src: PassphraseSource, ca: PassphraseOwner, opens: (pass: string) => boolean): Promise<string> {
  if (src.file) return readPassphraseFile(src.file);
  const kept = src.session.get(ca.fingerprint);
  if (kept !== undefined) return kept;
  if (ca.passphraseIn === 'keychain') return fromKeychain(src.keychain, ca.fingerprint);
  if (src.ask) {
    for (let attempt = 1; attempt <= UNLOCK_ATTEMPTS; attempt++) {
      const typed = await src.ask({ caName: ca.name, purpose: 'unlock', attempt });
      if (typed === null) break;
      if (opens(typed)) {
        src.session.remember(ca.fingerprint, typed);
        return typed;
      }
    }
  }
  throw ca.passphraseIn === 'typed'
    ? new UserError('no-passphrase', `the CA "${ca.name}" is locked: its passphrase is yours and is kept nowhere, so type it`, { cli: 'run on a terminal, or pass --passphrase-file FILE', app: 'Unlock on the CA screen' })
    : new UserError('no-passphrase', `the CA "${ca.name}" keeps its passphrase in your own file`, { cli: 'pass --passphrase-file FILE (or set CLUSTER_TRUST_PASSPHRASE_FILE)', app: 'start the app with CLUSTER_TRUST_PASSPHRASE_FILE set to that file' });
}

async function fromKeychain(keychain: SecretStore, caFingerprint: string): Promise<string> {
  let found: string | null;
  try {
    found = await keychain.get(keychainAccount(caFingerprint));
  } catch (err) {
    if (err instanceof UserError && err.code === 'keychain-unavailable') {
      const what = `no passphrase for the CA: ${err.message}; unlock or start it (Secret Service / Keychain / Credential Manager)`;
      throw new UserError('no-passphrase', `${what}, or pass --passphrase-file FILE (or set CLUSTER_TRUST_PASSPHRASE_FILE)`, `${what}, then try again`);
    }
    throw err;
  }
  if (!found) {
    const what = `the OS keychain has no passphrase for this CA (account ${keychainAccount(caFingerprint)})`;
    throw new UserError('no-passphrase', `${what}; pass --passphrase-file FILE (or set CLUSTER_TRUST_PASSPHRASE_FILE)`, `${what}; load the file of CA passphrases saved where the vault was made (“Load CA passphrases from a file…” after a restore)`);
  }
  return found;
}
