import { createServer } from 'node:net';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive } from '../../src-main/vault/lock.ts';

// Test files run two at a time, each in its own process. A port the kernel picks (listen on 0, then
// close) can be picked again by the other process before the test binds it, so an sshd and a TLS
// server met on one port. Ports here come from below the kernel's ephemeral range, and each is
// claimed with an exclusive file that names the claiming process, so no two test processes share one.
const LOW = 20_000;
const COUNT = 12_000;
const CLAIMS = join(tmpdir(), 'cluster-trust-test-ports');
const mine: string[] = [];
let next = Math.floor(Math.random() * COUNT);

/** Claims a port for this process; a dead process's claim is taken over. */
function claim(port: number): boolean {
  const file = join(CLAIMS, String(port));
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch {
    const owner = Number(readFileSync(file, 'utf8'));
    if (owner === process.pid || alive(owner)) return false;
    rmSync(file, { force: true });
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
    } catch {
      return false;
    }
  }
  if (mine.length === 0) process.on('exit', () => mine.forEach((f) => rmSync(f, { force: true })));
  mine.push(file);
  return true;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A TCP port on loopback that nothing listens on and no other test process will be given. */
export async function freePort(): Promise<number> {
  mkdirSync(CLAIMS, { recursive: true, mode: 0o1777 });
  for (let i = 0; i < COUNT; i++) {
    const port = LOW + (next++ % COUNT);
    if (claim(port) && (await bindable(port))) return port;
  }
  throw new Error(`no free test port in ${LOW}-${LOW + COUNT - 1}`);
}

export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 10_000): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, host);
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
