import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';

/**
 * Just enough RFC 6455 for tests: an upstream that answers plain requests and WebSocket upgrades
 * (it records every path it sees), and a client that upgrades and exchanges one text frame.
 * Both check the Sec-WebSocket-Accept handshake, so a proxy that does not forward the upgrade fails.
 */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const acceptFor = (key: string): string => createHash('sha1').update(key + GUID).digest('base64');

function frame(payload: Buffer, mask: boolean): Buffer {
  if (payload.length > 125) throw new Error('test frames stay small');
  const head = Buffer.from([0x81, (mask ? 0x80 : 0) | payload.length]);
  if (!mask) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  return Buffer.concat([head, key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]!))]);
}

/** Reads one complete small frame from a socket; returns its unmasked payload. */
function readFrame(socket: Duplex, first: Buffer = Buffer.alloc(0)): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = first;
    const tryParse = (): boolean => {
      if (buf.length < 2) return false;
      const masked = (buf[1]! & 0x80) !== 0;
      const len = buf[1]! & 0x7f;
      const need = 2 + (masked ? 4 : 0) + len;
      if (buf.length < need) return false;
      const body = buf.subarray(2 + (masked ? 4 : 0), need);
      const key = masked ? buf.subarray(2, 6) : null;
      socket.off('data', onData);
      resolve(Buffer.from(body.map((b, i) => (key ? b ^ key[i % 4]! : b))));
      return true;
    };
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      tryParse();
    };
    if (!tryParse()) {
      socket.on('data', onData);
      socket.once('error', reject);
      socket.once('close', () => reject(new Error('socket closed before a frame arrived')));
    }
  });
}

export interface Upstream {
  server: Server;
  port: number;
  /** Every path the upstream saw, plain and upgraded: proves what the proxy stripped. */
  paths: string[];
  close(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  const paths: string[] = [];
  // Upgraded sockets leave the server's bookkeeping: close() must end them itself.
  const upgraded = new Set<Duplex>();
  const server = createServer((req, res) => {
    paths.push(`GET ${req.url}`);
    res.setHeader('content-type', 'text/plain');
    res.end(`upstream saw ${req.url}`);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    paths.push(`WS ${req.url}`);
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`);
    void readFrame(socket, head).then((payload) => {
      socket.write(frame(Buffer.from(`echo ${req.url} ${payload.toString()}`), false));
    }, () => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    server,
    port,
    paths,
    close: () => new Promise((r) => {
      for (const s of upgraded) s.destroy();
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

export interface TlsTarget {
  port: number;
  servername: string;
  ca: string;
}

/** Upgrades over TLS (verified against our CA), sends one frame, returns the reply and the server certificate's fingerprint. */
export function wsRoundTrip(target: TlsTarget, path: string, message: string): Promise<{ reply: string; peerFingerprint: string }> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const req = httpsRequest({
      host: '127.0.0.1',
      agent: false,
      port: target.port,
      servername: target.servername,
      ca: target.ca,
      path,
      headers: { Host: target.servername, Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key },
    });
    req.on('response', (res) => reject(new Error(`no upgrade: HTTP ${res.statusCode}`)));
    req.on('upgrade', (res, socket, head) => {
      if (res.headers['sec-websocket-accept'] !== acceptFor(key)) {
        reject(new Error('wrong Sec-WebSocket-Accept'));
        return;
      }
      const peer = (socket as import('node:tls').TLSSocket).getPeerX509Certificate?.();
      socket.write(frame(Buffer.from(message), true));
      readFrame(socket, head).then((payload) => {
        socket.destroy();
        resolve({ reply: payload.toString(), peerFingerprint: peer?.fingerprint256 ?? '' });
      }, reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A plain GET over TLS, verified against our CA; returns the body and the served certificate's fingerprint. */
export function httpsGet(target: TlsTarget, path: string): Promise<{ status: number; body: string; peerFingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', agent: false, port: target.port, servername: target.servername, ca: target.ca, path, headers: { Host: target.servername } }, (res) => {
      const peer = (res.socket as import('node:tls').TLSSocket).getPeerX509Certificate?.();
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, peerFingerprint: peer?.fingerprint256 ?? '' }));
    });
    req.on('error', reject);
    req.end();
  });
}

