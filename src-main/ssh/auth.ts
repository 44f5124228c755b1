import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect as netConnect } from 'node:net';
import ssh2 from 'ssh2';
import type { AuthHandlerMiddleware, ParsedKey } from 'ssh2';
import { UserError } from '../core/errors.ts';

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

/** Returns the passphrase, or null to give up (the key is then reported as unusable). */
export type AskPassphrase = (req: PassphraseRequest) => Promise<string | null> | string | null;

export interface AuthOptions {
  /** ssh-agent socket; defaults to $SSH_AUTH_SOCK. null disables the agent. */
  agent?: string | null;
  /** Tried when a node names no key file; defaults to ~/.ssh/id_ed25519, id_ecdsa, id_rsa. */
  defaultIdentities?: string[];
  askPassphrase?: AskPassphrase;
}

const MAX_PASSPHRASE_ATTEMPTS = 3;

function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : resolve(path);
}

function firstKey(parsed: ParsedKey | ParsedKey[] | Error): ParsedKey | Error {
  return Array.isArray(parsed) ? (parsed[0] ?? new Error('no key in file')) : parsed;
}

function needsPassphrase(err: Error): boolean {
  return /no passphrase given/i.test(err.message);
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
    if (keyFile) return [expandHome(keyFile)];
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
    let data: Buffer;
    try {
      if (!statSync(keyFile).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
      data = readFileSync(keyFile);
    } catch (err) {
      throw new UserError('invalid-input', `cannot read the SSH key ${keyFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    let parsed = firstKey(ssh2.utils.parseKey(data));
    if (!(parsed instanceof Error)) return this.checkPrivate(parsed, keyFile);
    if (!needsPassphrase(parsed)) throw new UserError('invalid-input', `the SSH key ${keyFile} cannot be used: ${parsed.message}`);
    const ask = this.opts.askPassphrase;
    if (!ask) throw new UserError('no-passphrase', `the SSH key ${keyFile} is encrypted: give its passphrase (--ssh-key-passphrase-file FILE) or load it into ssh-agent`);
    for (let attempt = 1; attempt <= MAX_PASSPHRASE_ATTEMPTS; attempt++) {
      const passphrase = await ask({ keyFile, attempt });
      if (passphrase === null) break;
      parsed = firstKey(ssh2.utils.parseKey(data, passphrase));
      if (!(parsed instanceof Error)) return this.checkPrivate(parsed, keyFile);
    }
    throw new UserError('bad-passphrase', `wrong passphrase for the SSH key ${keyFile}`);
  }

  private checkPrivate(key: ParsedKey, keyFile: string): ParsedKey {
    if (!key.isPrivateKey()) throw new UserError('invalid-input', `${keyFile} is a public key; --ssh-key needs the private key file`);
    return key;
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
    return new UserError('refused', `no SSH credentials for ${target}: set the node's key with \`node edit NAME --ssh-key FILE\` or start ssh-agent (SSH_AUTH_SOCK)`);
  }
  return new UserError('refused', `authentication failed for ${target} (tried ${plan.tried.join(', ')}): the node does not accept these keys`);
}
