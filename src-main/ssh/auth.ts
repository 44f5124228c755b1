import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect } from 'node:net';
import { ssh2 } from '../libs/ssh2.ts';
import type { AuthHandlerMiddleware, ParsedKey } from 'ssh2';
import { UserError } from '../errors.ts';
import { keyFilePath, type SavedKeyPassphrases } from './key-passphrases.ts';

/**
 * User authentication: the ssh-agent first (SSH_AUTH_SOCK), then the node's key file (or OpenSSH's
 * default identities when it names none). An encrypted key's passphrase comes from a callback the
 * front end supplies (CLI: a file; GUI: a prompt), asked once per key file for a whole push. No
 * password authentication: nothing secret ever needs to be stored for it.
 */

export interface PassphraseRequest {
  keyFile: string;
  /** 1 for the first ask; more after a wrong passphrase. */
  attempt: number;
}

/** A passphrase, optionally with the user's wish to keep it in the OS keychain once it has worked. */
export type PassphraseAnswer = string | { passphrase: string; remember: boolean };

/** Returns the passphrase, or null to give up (the key is then reported as unusable). */
export type AskPassphrase = (req: PassphraseRequest) => Promise<PassphraseAnswer | null> | PassphraseAnswer | null;

export interface AuthOptions {
  /** ssh-agent socket; defaults to $SSH_AUTH_SOCK. null disables the agent. */
  agent?: string | null;
  /** Tried when a node names no key file; defaults to ~/.ssh/id_ed25519, id_ecdsa, id_rsa. */
  defaultIdentities?: string[];
  askPassphrase?: AskPassphrase;
  /** Passphrases kept in the OS keychain: tried before asking; a stale one is dropped. */
  saved?: SavedKeyPassphrases;
  /** Something the user should know that does not fail the push (a passphrase that could not be kept). */
  onNotice?: (message: string) => void;
}

const MAX_PASSPHRASE_ATTEMPTS = 3;

function firstKey(parsed: ParsedKey | ParsedKey[] | Error): ParsedKey | Error {
  return Array.isArray(parsed) ? (parsed[0] ?? new Error('no key in file')) : parsed;
}

function needsPassphrase(err: Error): boolean {
  return /no passphrase given/i.test(err.message);
}

function isEncryptedKeyFile(file: string): boolean {
  try {
    return inspectKeyFile(file).encrypted;
  } catch {
    return false;
  }
}

const MAX_KEY_FILE_BYTES = 64 * 1024;

function readKeyData(keyFile: string): Buffer {
  try {
    const st = statSync(keyFile);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
    if (st.size > MAX_KEY_FILE_BYTES) throw Object.assign(new Error('too large for a key'), { code: 'too large for a key' });
    return readFileSync(keyFile);
  } catch (err) {
    throw new UserError('invalid-input', `cannot read the SSH key ${keyFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/**
 * The private key, or null when it is encrypted and `passphrase` is missing or wrong. Throws for a
 * file that is no usable private key at all.
 */
function openKey(data: Buffer, keyFile: string, passphrase?: string): ParsedKey | null {
  const parsed = firstKey(passphrase === undefined ? ssh2.utils.parseKey(data) : ssh2.utils.parseKey(data, passphrase));
  if (parsed instanceof Error) {
    if (needsPassphrase(parsed) || passphrase !== undefined) return null;
    throw new UserError('invalid-input', `the SSH key ${keyFile} cannot be used: ${parsed.message}`);
  }
  if (!parsed.isPrivateKey()) throw new UserError('invalid-input', `${keyFile} is a public key; give the private key file`);
  return parsed;
}

/** For choosing a node's key: a private key file, encrypted or not. */
export function inspectKeyFile(keyFile: string): { encrypted: boolean } {
  return { encrypted: openKey(readKeyData(keyFile), keyFile) === null };
}

/** For `ssh-key remember`: the file must be an encrypted private key that this passphrase opens. */
export function checkKeyPassphrase(keyFile: string, passphrase: string): void {
  const data = readKeyData(keyFile);
  if (openKey(data, keyFile)) throw new UserError('invalid-input', `the SSH key ${keyFile} is not encrypted: there is no passphrase to keep`);
  if (!openKey(data, keyFile, passphrase)) throw new UserError('bad-passphrase', `wrong passphrase for the SSH key ${keyFile}`);
}

/** Parsed private keys, shared by every node of one push: one file read and one prompt per key. */
export class KeyRing {
  private readonly cache = new Map<string, Promise<ParsedKey>>();
  readonly agent: string | null;
  readonly defaultIdentities: string[];

  constructor(private readonly opts: AuthOptions = {}) {
    this.agent = opts.agent === undefined ? process.env.SSH_AUTH_SOCK || null : opts.agent;
    this.defaultIdentities = opts.defaultIdentities ?? ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(homedir(), '.ssh', f));
  }

  private agentCheck: Promise<boolean> | null = null;

  /**
   * Whether the agent socket answers. ssh2 aborts the whole connection when it cannot reach the
   * agent, so a stale SSH_AUTH_SOCK must be skipped rather than tried.
   */
  agentUsable(): Promise<boolean> {
    const path = this.agent;
    if (!path) return Promise.resolve(false);
    this.agentCheck ??= new Promise((done) => {
      const sock = netConnect(path);
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        sock.destroy();
        done(ok);
      };
      const timer = setTimeout(() => finish(false), 2000);
      sock.once('connect', () => finish(true));
      sock.once('error', () => finish(false));
    });
    return this.agentCheck;
  }

  /** Key files to try for a node: its own, else the default identities that exist. */
  keyFilesFor(keyFile: string | undefined): string[] {
    if (keyFile) return [keyFilePath(keyFile)];
    return this.defaultIdentities.filter((f) => existsSync(f));
  }

  load(keyFile: string): Promise<ParsedKey> {
    let pending = this.cache.get(keyFile);
    if (!pending) {
      pending = this.parse(keyFile);
      this.cache.set(keyFile, pending);
    }
    return pending;
  }

  private async parse(keyFile: string): Promise<ParsedKey> {
    const data = readKeyData(keyFile);
    let parsed = openKey(data, keyFile);
    if (parsed) return parsed;
    const saved = this.opts.saved;
    const kept = await saved?.get(keyFile);
    if (kept) {
      parsed = openKey(data, keyFile, kept);
      if (parsed) return parsed;
      // The key was re-encrypted since: the kept passphrase is of no use any more.
      await saved!.forget(keyFile).catch(() => false);
    }
    const ask = this.opts.askPassphrase;
    if (!ask) throw new UserError('no-passphrase', `the SSH key ${keyFile} is encrypted: give its passphrase (--ssh-key-passphrase-file FILE), keep it in the keychain (--remember-ssh-key-passphrase), or load the key into ssh-agent`, `the SSH key ${keyFile} is encrypted: give its passphrase when the push asks, or load the key into ssh-agent`);
    for (let attempt = 1; attempt <= MAX_PASSPHRASE_ATTEMPTS; attempt++) {
      const answer = await ask({ keyFile, attempt });
      if (answer === null) {
        if (attempt > 1) break;
        throw new UserError('no-passphrase', `no passphrase was given for the SSH key ${keyFile}`);
      }
      const { passphrase, remember } = typeof answer === 'string' ? { passphrase: answer, remember: false } : answer;
      parsed = openKey(data, keyFile, passphrase);
      if (!parsed) continue;
      if (remember) await this.keep(keyFile, passphrase);
      return parsed;
    }
    throw new UserError('bad-passphrase', `wrong passphrase for the SSH key ${keyFile}`);
  }

  private async keep(keyFile: string, passphrase: string): Promise<void> {
    const saved = this.opts.saved;
    try {
      if (!saved) throw new Error('no keychain here');
      await saved.remember(keyFile, passphrase);
    } catch (err) {
      this.opts.onNotice?.(`the passphrase of ${keyFile} was not kept in the OS keychain (${(err as Error).message.split(';')[0]}); it will be asked again next time`);
    }
  }

  /** Whether ssh-agent holds this key (by its .pub beside it): then its passphrase is never needed. */
  private async agentHolds(keyFile: string): Promise<boolean> {
    if (!(await this.agentUsable())) return false;
    let pub: ParsedKey | Error;
    try {
      pub = firstKey(ssh2.utils.parseKey(readFileSync(`${keyFile}.pub`)));
    } catch {
      // No .pub to compare with: the agent may hold it; the key is unlocked later only if needed.
      return true;
    }
    if (pub instanceof Error) return true;
    const blob = pub.getPublicSSH().toString('base64');
    this.agentKeys ??= new Promise((done) => {
      new ssh2.OpenSSHAgent(this.agent!).getIdentities((err, keys) => done(err || !keys ? new Set() : new Set((keys as ParsedKey[]).map((k) => k.getPublicSSH().toString('base64')))));
    });
    return (await this.agentKeys).has(blob);
  }

  private agentKeys: Promise<Set<string>> | null = null;

  /**
   * Unlocks the nodes' own encrypted key files before any node starts, one prompt at a time, so
   * nobody types a passphrase while a node's connection timer runs. Keys the agent holds are not
   * asked for. Failures stay cached and are reported by each node that uses the key.
   */
  async unlockAhead(keyFiles: string[]): Promise<void> {
    for (const file of [...new Set(keyFiles.map(keyFilePath))]) {
      if (this.cache.has(file) || !isEncryptedKeyFile(file)) continue;
      if (await this.agentHolds(file)) continue;
      await this.load(file).catch(() => undefined);
    }
  }
}

export interface AuthPlan {
  /** Called by ssh2 for each next method; never throws. */
  handler: AuthHandlerMiddleware;
  /** What was tried, for the error message. */
  tried: string[];
  /** A key that could not be loaded (wrong passphrase, unreadable file), reported over a generic failure. */
  keyError(): UserError | null;
}

export function authPlan(ring: KeyRing, username: string, keyFile: string | undefined): AuthPlan {
  const files = ring.keyFilesFor(keyFile);
  const steps: Array<() => Promise<Parameters<Parameters<AuthHandlerMiddleware>[2]>[0] | null>> = [];
  const tried: string[] = [];
  let keyError: UserError | null = null;
  if (ring.agent) {
    steps.push(async () => {
      if (!(await ring.agentUsable())) {
        tried.push(`ssh-agent (${ring.agent} does not answer)`);
        return null;
      }
      tried.push('ssh-agent');
      return { type: 'agent', username, agent: ring.agent! };
    });
  }
  for (const file of files) {
    steps.push(async () => {
      tried.push(`key ${file}`);
      try {
        return { type: 'publickey', username, key: await ring.load(file) };
      } catch (err) {
        keyError = err instanceof UserError ? err : new UserError('invalid-input', `the SSH key ${file} cannot be used: ${(err as Error).message}`);
        return null;
      }
    });
  }
  let next = 0;
  const handler: AuthHandlerMiddleware = (_left, _partial, callback) => {
    const run = async (): Promise<void> => {
      while (next < steps.length) {
        const method = await steps[next++]!();
        if (method) return callback(method);
      }
      callback(false as never);
    };
    void run();
  };
  return { handler, tried, keyError: () => keyError };
}

/** The one-line error when the server accepted none of our credentials. */
export function authFailedError(target: string, plan: AuthPlan): UserError {
  const keyErr = plan.keyError();
  if (keyErr) return keyErr;
  if (plan.tried.length === 0) {
    return new UserError('auth-refused', `no SSH credentials for ${target}`, { cli: 'set the node\'s key with `node edit NAME --ssh-key FILE` or start ssh-agent (SSH_AUTH_SOCK)', app: 'choose the node\'s SSH key in its Edit form (Push over SSH, Choose key…) or start ssh-agent (SSH_AUTH_SOCK)' });
  }
  return new UserError('auth-refused', `authentication failed for ${target} (tried ${plan.tried.join(', ')}): the node does not accept these keys`);
}
