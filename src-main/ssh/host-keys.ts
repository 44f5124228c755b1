import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../vault/lock.ts';
import { writeFileAtomic } from '../vault/atomic.ts';
import { UserError } from '../errors.ts';
import {
  entryMatches,
  keyTypeLabel,
  keyTypeOfBlob,
  knownHostsLine,
  knownHostsName,
  parseKnownHosts,
  sshFingerprint,
  type KnownHostEntry,
} from './known-hosts.ts';

/**
 * Host-key policy, like OpenSSH's StrictHostKeyChecking=yes (or accept-new when the caller says so):
 * a key found in a known_hosts file passes; an unknown key is refused with its fingerprint unless
 * the caller accepts it, and then it is recorded in the app's own file; a different key where one of
 * the same type is known, or a revoked key, always refuses.
 */

export interface HostKeyFiles {
  /** Files only read: the user's and the system's OpenSSH known_hosts. */
  readOnly: string[];
  /** The app's own file (in the vault), read and appended to. */
  app: string;
  /** Lock held while appending, shared with the vault so two processes never interleave writes. */
  lock: string;
}

export function defaultHostKeyFiles(vaultHome: string, home = homedir()): HostKeyFiles {
  return {
    readOnly: [join(home, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'],
    app: join(vaultHome, 'known_hosts'),
    lock: join(vaultHome, '.lock'),
  };
}

export interface HostKeyInfo {
  node: string;
  host: string;
  port: number;
  keyType: string;
  /** SHA256:base64, as OpenSSH prints it. */
  fingerprint: string;
}

/** Asked about a key no file knows; true accepts it (and it is recorded), false refuses. */
export type UnknownHostKeyHandler = (info: HostKeyInfo) => boolean | Promise<boolean>;

export type HostKeyVerdict =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'unknown' }
  | { status: 'changed'; known: KnownHostEntry[] }
  | { status: 'revoked'; entry: KnownHostEntry };

export function loadKnownHosts(files: HostKeyFiles): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const file of [...files.readOnly, files.app]) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // a missing or unreadable file knows nothing, as for OpenSSH
    }
    entries.push(...parseKnownHosts(text, file));
  }
  return entries;
}

function entriesFor(entries: KnownHostEntry[], host: string, port: number): KnownHostEntry[] {
  const name = knownHostsName(host, port);
  return entries.filter((e) => entryMatches(e, name));
}

export function judgeHostKey(entries: KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const mine = entriesFor(entries, host, port);
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key) && entryMatches(e, knownHostsName(host, port)));
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = mine.filter((e) => e.marker === null);
  const same = plain.find((e) => e.key.equals(key));
  if (same) return { status: 'known', entry: same };
  const type = keyTypeOfBlob(key);
  const sameType = plain.filter((e) => e.keyType === type);
  if (sameType.length > 0) return { status: 'changed', known: sameType };
  return { status: 'unknown' };
}

const ALGORITHMS_FOR_TYPE: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/**
 * Host-key algorithms to offer for a host we already know: only the known types, as OpenSSH does,
 * so a node that also has a key of another type cannot dodge the check by presenting that one.
 * Empty means "no preference" (nothing known yet).
 */
export function hostKeyAlgorithmsFor(entries: KnownHostEntry[], host: string, port: number): string[] {
  const types = new Set(entriesFor(entries, host, port).filter((e) => e.marker === null).map((e) => e.keyType));
  return [...types].flatMap((t) => ALGORITHMS_FOR_TYPE[t] ?? []);
}

export function unknownHostKeyError(info: HostKeyInfo): UserError {
  const what = `unknown host key for ${knownHostsName(info.host, info.port)} (${keyTypeLabel(info.keyType)} ${info.fingerprint}); check this fingerprint on the node (\`ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub\`), then`;
  return new UserError('host-key-unknown', `${what} rerun with --accept-new-host-keys to record it`, `${what} choose “Trust this key and retry” on the Push screen`);
}

export function changedHostKeyError(info: HostKeyInfo, known: KnownHostEntry[]): UserError {
  const where = known.map((e) => `${e.file}:${e.line} ${keyTypeLabel(e.keyType)} ${sshFingerprint(e.key)}`).join('; ');
  return new UserError(
    'host-key-changed',
    `HOST KEY CHANGED for ${knownHostsName(info.host, info.port)}: the node now presents ${keyTypeLabel(info.keyType)} ${info.fingerprint}, ` +
      `but ${where} says otherwise. Someone may be intercepting the connection (or the node was reinstalled). ` +
      'Refusing to push; if the change is expected, remove that line and push again',
  );
}

export function revokedHostKeyError(info: HostKeyInfo, entry: KnownHostEntry): UserError {
  return new UserError('host-key-changed', `the host key ${info.fingerprint} of ${knownHostsName(info.host, info.port)} is marked @revoked in ${entry.file}:${entry.line}; refusing to push`);
}

export function noKnownAlgorithmError(host: string, port: number, algorithms: string[]): UserError {
  return new UserError(
    'host-key-changed',
    `HOST KEY CHANGED for ${knownHostsName(host, port)}: it no longer offers a host key of the known type (${algorithms.join(', ')}); refusing to push`,
  );
}

/** Appends an accepted key to the app's known_hosts (atomically, under the vault lock). */
export async function recordHostKey(files: HostKeyFiles, host: string, port: number, key: Buffer, node: string): Promise<void> {
  const release = await acquireLock(files.lock);
  try {
    const current = existsSync(files.app) ? readFileSync(files.app, 'utf8') : '';
    const name = knownHostsName(host, port);
    if (parseKnownHosts(current, files.app).some((e) => e.marker === null && e.key.equals(key) && entryMatches(e, name))) return;
    const line = knownHostsLine(host, port, key, `cluster-trust:${node}`);
    writeFileAtomic(files.app, `${current}${current && !current.endsWith('\n') ? '\n' : ''}${line}\n`, 0o600);
  } finally {
    release();
  }
}
