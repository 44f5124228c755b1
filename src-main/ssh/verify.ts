import { createHash, X509Certificate } from 'node:crypto';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tls as tlsModule } from '../libs/node-builtins.ts';
import { UserError } from '../errors.ts';
import { abortableSleep as sleep } from './sleep.ts';

/**
 * The live check after a push: open a TLS connection to the node's service and compare what it
 * serves with what we pushed (leaf SHA-256), and check that it chains to our CA. NATS servers say
 * `INFO {...}` in clear text before TLS starts; that is handled too.
 */

export interface VerifyInput {
  host: string;
  port: number;
  /** PEMs of the CAs the served chain must lead to. */
  caPems: string[];
  /** Hex SHA-256 of the leaf we pushed. */
  expectedFingerprint: string;
  /** Keep trying (the service may be restarting) until this deadline. */
  deadline: number;
  signal: AbortSignal;
}

export interface VerifyResult {
  ok: boolean;
  host: string;
  port: number;
  /** Hex SHA-256 of the leaf the service served, when it served one. */
  served: string | null;
  /** The served chain validates up to one of our CAs. */
  chainOk: boolean;
  /** One line: what was wrong, or what was confirmed. */
  message: string;
}

interface Observation {
  served: string;
  chainOk: boolean;
  chainError: string | null;
}

const ATTEMPT_TIMEOUT_MS = 5000;
const RETRY_DELAY_MS = 250;

function handshake(input: VerifyInput, socket?: Socket): Promise<Observation> {
  return new Promise((resolve, reject) => {
    const tls: TLSSocket = tlsModule.connect({
      ...(socket ? { socket } : { host: input.host, port: input.port }),
      ca: input.caPems,
      // Judged below: we want the served certificate even when it is wrong.
      rejectUnauthorized: false,
      // We reach the node by its SSH address, which need not be one of its names; identity is the fingerprint.
      checkServerIdentity: () => undefined,
      ...(isIP(input.host) ? {} : { servername: input.host }),
    });
    const timer = setTimeout(() => fail(new Error('no TLS handshake within 5 s')), ATTEMPT_TIMEOUT_MS);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      tls.destroy();
      socket?.destroy();
      reject(err);
    };
    tls.once('error', fail);
    tls.once('secureConnect', () => {
      clearTimeout(timer);
      const peer = tls.getPeerX509Certificate() as X509Certificate | undefined;
      const chainError = tls.authorized ? null : String(tls.authorizationError ?? 'not trusted');
      tls.destroy();
      socket?.destroy();
      if (!peer) return reject(new Error('the service sent no certificate'));
      resolve({ served: createHash('sha256').update(peer.raw).digest('hex'), chainOk: tls.authorized, chainError });
    });
  });
}

/** A server that speaks first in clear text: NATS's `INFO {...}\r\n`, then TLS on the same socket. */
function natsStyle(input: VerifyInput): Promise<Observation> {
  return new Promise((resolve, reject) => {
    const sock = netConnect({ host: input.host, port: input.port });
    let buf = '';
    const timer = setTimeout(() => done(new Error('no greeting within 5 s')), ATTEMPT_TIMEOUT_MS);
    const done = (err: Error | null): void => {
      clearTimeout(timer);
      sock.removeAllListeners('data');
      if (err) {
        sock.destroy();
        reject(err);
        return;
      }
      sock.pause();
      handshake(input, sock).then(resolve, reject);
    };
    sock.once('error', (err) => done(err));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (!buf.includes('\r\n') && buf.length < 64 * 1024) return;
      if (!buf.startsWith('INFO ')) return done(new Error('the service speaks a clear-text protocol we cannot upgrade to TLS'));
      done(null);
    });
  });
}

function isProtocolMismatch(err: Error & { code?: string }): boolean {
  return /^ERR_SSL_|EPROTO/.test(err.code ?? '') || /wrong version number|packet length too long|unexpected eof|socket disconnected before secure/i.test(err.message);
}

async function observe(input: VerifyInput): Promise<Observation> {
  try {
    return await handshake(input);
  } catch (err) {
    if (!isProtocolMismatch(err as Error)) throw err;
    return natsStyle(input);
  }
}


/**
 * Polls until the service serves the pushed certificate or the deadline passes (a restart takes a
 * moment; an old certificate may still be served until then).
 */
export async function verifyServedCertificate(input: VerifyInput): Promise<VerifyResult> {
  const base = { host: input.host, port: input.port };
  let last: VerifyResult = { ...base, ok: false, served: null, chainOk: false, message: `nothing answered TLS on ${input.host}:${input.port}` };
  for (;;) {
    if (input.signal.aborted) break;
    try {
      const seen = await observe(input);
      const matches = seen.served === input.expectedFingerprint;
      if (matches && seen.chainOk) {
        return { ...base, ok: true, served: seen.served, chainOk: true, message: `serves the pushed certificate (SHA-256 ${seen.served.slice(0, 16)}...), chained to our CA` };
      }
      last = {
        ...base,
        ok: false,
        served: seen.served,
        chainOk: seen.chainOk,
        message: matches
          ? `serves the pushed certificate but its chain does not lead to our CA (${seen.chainError})`
          : `serves another certificate (SHA-256 ${seen.served.slice(0, 16)}..., expected ${input.expectedFingerprint.slice(0, 16)}...)`,
      };
    } catch (err) {
      last = { ...base, ok: false, served: null, chainOk: false, message: `TLS check of ${input.host}:${input.port} failed: ${(err as Error).message}` };
    }
    if (Date.now() + RETRY_DELAY_MS >= input.deadline) break;
    await sleep(RETRY_DELAY_MS, input.signal);
  }
  return last;
}

export function verifyFailed(result: VerifyResult): UserError {
  return new UserError('verify-failed', `live check failed: ${result.message}`);
}
