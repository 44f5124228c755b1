import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, type CliRun } from '../helpers/cli.ts';

export interface Ws {
  home: string;
  pass: string;
  dir: string;
  cli: (...args: string[]) => CliRun;
}

/** The built CLI under Debian's faketime: `offset` like '+300d' moves this process's clock only. */
export function fakeCli(ws: Ws, offset: string, ...args: string[]): CliRun {
  const r = spawnSync('faketime', ['-f', offset, process.execPath, CLI, '--home', ws.home, '--passphrase-file', ws.pass, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI without waiting, to kill it part-way. */
export function spawnCli(ws: Ws, args: string[], offset?: string): ChildProcess {
  const argv = [CLI, '--home', ws.home, '--passphrase-file', ws.pass, ...args];
  return offset ? spawn('faketime', ['-f', offset, process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

export function ok(r: CliRun, what: string): CliRun {
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r;
}

export function json<T = any>(r: CliRun, what: string): T {
  ok(r, what);
  return JSON.parse(r.stdout) as T;
}

export interface InvCert {
  serial: string;
  node: string;
  caId: string;
  status: string;
  pack: string;
  issuedAt: string;
  fingerprint: string;
}

export interface InvShape {
  cas: Array<{ id: string; name: string; status: string; fingerprint: string }>;
  nodes: Array<{ name: string }>;
  certs: InvCert[];
  crlNumber: number;
  crl?: { nextUpdate: string; caIds: string[] };
}

export function inventory(ws: Ws): InvShape {
  return JSON.parse(readFileSync(join(ws.home, 'inventory.json'), 'utf8')) as InvShape;
}

/** The newest certificate record of a node, as the core picks it. */
export function latest(inv: InvShape, node: string): InvCert | undefined {
  let best: InvCert | undefined;
  for (const c of inv.certs) if (c.node === node && (!best || c.issuedAt >= best.issuedAt)) best = c;
  return best;
}

/** A vault with a CA and nodes issued; names ending in "-c" are clients, the others servers on 127.0.0.1. */
export function seed(ws: Ws, names: string[], opts: { key?: string; days?: number } = {}): void {
  ok(ws.cli('ca', 'init', '--name', 'Lifecycle Test CA'), 'ca init');
  names.forEach((n, i) => {
    const client = n.endsWith('-c');
    // Servers also carry "localhost": nats.js checks 127.0.0.1 under that name.
    ok(ws.cli('node', 'add', n, '--ip', client ? `127.0.1.${i + 1}` : '127.0.0.1', ...(client ? [] : ['--dns', 'localhost']), '--profile', client ? 'generic-client' : 'generic-server', ...(opts.key ? ['--key', opts.key] : [])), `node add ${n}`);
  });
  if (names.length) ok(ws.cli('issue', '--all', ...(opts.days ? ['--days', String(opts.days)] : [])), 'issue --all');
}

export function waitExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}
