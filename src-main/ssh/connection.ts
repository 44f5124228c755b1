import { ssh2 } from '../libs/ssh2.ts';
import type { ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import { UserError } from '../errors.ts';
import type { SshTarget } from '../vault/schema.ts';
import { authFailedError, authPlan, type KeyRing } from './auth.ts';
import {
  changedHostKeyError,
  hostKeyAlgorithmsFor,
  judgeHostKey,
  loadKnownHosts,
  noKnownAlgorithmError,
  recordHostKey,
  revokedHostKeyError,
  unknownHostKeyError,
  type HostKeyFiles,
  type HostKeyInfo,
  type UnknownHostKeyHandler,
} from './host-keys.ts';
import { keyTypeOfBlob, knownHostsName, sshFingerprint } from './known-hosts.ts';

/** A failure to reach the node at all (refused, reset, timed out before login): worth retrying. */
export class ConnectError extends UserError {
  constructor(message: string, code: 'unreachable' | 'timeout' = 'unreachable') {
    super(code, message);
  }
}

export interface ConnectOptions {
  node: string;
  target: SshTarget;
  ring: KeyRing;
  hostKeys: HostKeyFiles;
  onUnknownHostKey?: UnknownHostKeyHandler;
  /** False in a dry run: an accepted key is used for this connection but not written down. */
  recordAcceptedKeys: boolean;
  /** Upper bound for TCP connect + handshake + login. */
  timeoutMs: number;
  signal: AbortSignal;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface SshSession {
  readonly sftp: SFTPWrapper;
  /** Runs a command through the login shell; `input` is written to its stdin. Never rejects on a non-zero exit. */
  exec(command: string, input?: string): Promise<ExecResult>;
  /** Set once the connection is gone (the node went away, or we closed it). */
  readonly closed: boolean;
  /** Polite goodbye. */
  close(): void;
  /** Drops the connection at once (timeout, cancel): pending SFTP calls fail. */
  destroy(): void;
}

const OUTPUT_LIMIT = 64 * 1024;

function targetName(t: SshTarget): string {
  return `${t.user}@${knownHostsName(t.host, t.port)}`;
}

/** Connects, checks the host key, logs in and opens SFTP. Rejects with a one-line UserError. */
export function connect(opts: ConnectOptions): Promise<SshSession> {
  const { target, signal } = opts;
  const where = targetName(target);
  const known = loadKnownHosts(opts.hostKeys);
  const algorithms = hostKeyAlgorithmsFor(known, target.host, target.port);
  const plan = authPlan(opts.ring, target.user, target.keyFile);
  const client = new ssh2.Client();
  let hostKeyProblem: UserError | null = null;
  let acceptedKey: Buffer | null = null;

  const hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
    const info: HostKeyInfo = { node: opts.node, host: target.host, port: target.port, keyType: keyTypeOfBlob(key), fingerprint: sshFingerprint(key) };
    const verdict = judgeHostKey(known, target.host, target.port, key);
    if (verdict.status === 'known') return verify(true);
    if (verdict.status === 'changed') {
      hostKeyProblem = changedHostKeyError(info, verdict.known);
      return verify(false);
    }
    if (verdict.status === 'revoked') {
      hostKeyProblem = revokedHostKeyError(info, verdict.entry);
      return verify(false);
    }
    const ask = opts.onUnknownHostKey;
    if (!ask) {
      hostKeyProblem = unknownHostKeyError(info);
      return verify(false);
    }
    Promise.resolve()
      .then(() => ask(info))
      .then(
        (ok) => {
          if (ok) acceptedKey = key;
          else hostKeyProblem = unknownHostKeyError(info);
          verify(Boolean(ok));
        },
        (err: unknown) => {
          hostKeyProblem = err instanceof UserError ? err : unknownHostKeyError(info);
          verify(false);
        },
      );
  };

  const config: ConnectConfig = {
    host: target.host,
    port: target.port,
    username: target.user,
    authHandler: plan.handler,
    hostVerifier: hostVerifier as ConnectConfig['hostVerifier'],
    readyTimeout: Math.max(1000, opts.timeoutMs),
    // A node that vanishes without a TCP reset is noticed within ~15 s instead of hanging.
    keepaliveInterval: 5000,
    keepaliveCountMax: 3,
    ...(algorithms.length ? { algorithms: { serverHostKey: algorithms as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] } } : {}),
  };

  return new Promise<SshSession>((resolve, reject) => {
    let settled = false;
    let closed = false;
    const fail = (err: UserError): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      client.destroy();
      reject(err);
    };
    const onAbort = (): void => fail(abortError(signal, `connecting to ${where}`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });

    // The accepted key is written before the session is handed out, so a push never runs on a key
    // that was not recorded.
    let recorded: Promise<void> = Promise.resolve();
    client.on('handshake', () => {
      // The server has now proven it holds the key (KEX signature checked): safe to remember it.
      if (acceptedKey && opts.recordAcceptedKeys) {
        recorded = recordHostKey(opts.hostKeys, target.host, target.port, acceptedKey, opts.node).catch((err: unknown) => {
          fail(err instanceof UserError ? err : new UserError('io', `cannot record the host key of ${where}: ${(err as Error).message}`));
        });
      }
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (settled) return;
      if (hostKeyProblem) return fail(hostKeyProblem);
      if (err.level === 'client-authentication') return fail(authFailedError(where, plan));
      if (err.level === 'client-timeout') return fail(new ConnectError(`timed out connecting to ${where}`, 'timeout'));
      if (err.level === 'client-socket') return fail(new ConnectError(`cannot connect to ${where}: ${err.code ?? err.message}`));
      if (/no matching host key/i.test(err.message) && algorithms.length) return fail(noKnownAlgorithmError(target.host, target.port, algorithms));
      if (/ECONNRESET|Connection lost|before handshake/i.test(err.message)) return fail(new ConnectError(`the connection to ${where} was lost while logging in: ${err.message}`));
      fail(new UserError('refused', `SSH to ${where} failed: ${err.message}`));
    });
    client.on('close', () => {
      closed = true;
      if (!settled) fail(new ConnectError(`${where} closed the connection before login completed`));
    });
    client.on('ready', () => {
      void recorded.then(() => {
        if (settled) return;
        client.sftp((err, sftp) => {
          if (err) return fail(new UserError('refused', `${where} offers no SFTP subsystem (${err.message}); enable "Subsystem sftp" in its sshd_config`));
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          resolve({
            sftp,
            exec: (command, input) => execOn(client, command, input),
            get closed() {
              return closed;
            },
            close: () => client.end(),
            destroy: () => client.destroy(),
          });
        });
      });
    });
    try {
      client.connect(config);
    } catch (err) {
      fail(new UserError('invalid-input', `cannot connect to ${where}: ${(err as Error).message}`));
    }
  });
}

function execOn(client: InstanceType<typeof ssh2.Client>, command: string, input?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err: Error | undefined, stream: ClientChannel) => {
      if (err) return reject(new UserError('io', `cannot run a command on the node: ${err.message}`));
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      let sig: string | null = null;
      stream.on('data', (d: Buffer) => {
        if (stdout.length < OUTPUT_LIMIT) stdout += d.toString('utf8');
      });
      stream.stderr.on('data', (d: Buffer) => {
        if (stderr.length < OUTPUT_LIMIT) stderr += d.toString('utf8');
      });
      stream.on('exit', (c: number | null, s?: string) => {
        code = c;
        sig = s ?? null;
      });
      stream.on('close', () => resolve({ code, signal: sig, stdout, stderr }));
      stream.end(input ?? '');
    });
  });
}

/** The error for an aborted node: "timed out" when its own deadline fired, else "cancelled". */
export function abortError(signal: AbortSignal, doing: string): UserError {
  const reason = signal.reason as unknown;
  if (reason instanceof UserError) return new UserError(reason.code, `${reason.message} while ${doing}`);
  return new UserError('cancelled', `cancelled while ${doing}`);
}
