import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForPort } from '../helpers/ports.ts';
import { sh } from '../helpers/cli.ts';

/**
 * Real OpenSSH servers standing in for cluster nodes: one /usr/sbin/sshd per node on a loopback
 * port, each with its own host key, config, authorized_keys and folder. Each runs in a private mount
 * namespace (unshare -m) with a tmpfs on /run (for its privilege-separation dir /run/sshd) and on
 * /root (a fresh root home, so this machine's shell start-up files play no part), which leaves the
 * machine itself untouched. A node can also see chosen folders read-only (a read-only bind mount in
 * its namespace): a real EROFS, as on a read-only file system.
 */

export interface SshdNode {
  dir: string;
  port: number;
  hostKey: string;
  pid: number;
  log: string;
  /** Kills sshd and every process it forked (open sessions, sftp-server): the node "goes away". */
  kill(): void;
  /** Restarts on the same port, optionally with a freshly generated host key. */
  restart(opts?: { newHostKey?: boolean }): Promise<void>;
}

export interface SshdOptions {
  dir: string;
  authorizedKeys: string;
  /** Folders this node sees read-only. */
  readOnly?: string[];
  /** [folder, mount point]: the node sees `folder` at `mount point` (e.g. its own /srv). */
  binds?: Array<[string, string]>;
  port?: number;
  /** Environment of every session (sshd's SetEnv, which wins over the defaults): e.g. a PATH without openssl. */
  setEnv?: Record<string, string>;
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** Every descendant of `pid`, found by parent id (never by name). */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...childrenOf(all[i]!));
  return all;
}

export function killTree(pid: number): void {
  // Stop the listener first so nothing new is forked, then everything under it.
  const tree = processTree(pid);
  for (const p of tree) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function newHostKey(dir: string): string {
  const key = join(dir, `host_ed25519_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test-node', '-f', key]);
  return key;
}

function config(dir: string, port: number, hostKey: string, setEnv: Record<string, string> = {}): string {
  const path = join(dir, 'sshd_config');
  writeFileSync(
    path,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'MaxStartups 100:30:200',
      'Subsystem sftp /usr/lib/openssh/sftp-server',
      ...Object.entries(setEnv).map(([k, v]) => `SetEnv ${k}="${v}"`),
      '',
    ].join('\n'),
  );
  return path;
}

function launch(dir: string, cfg: string, readOnly: string[], binds: Array<[string, string]>): { pid: number; log: string } {
  const log = join(dir, 'sshd.log');
  const fd = openSync(log, 'a');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = [
    'set -e',
    'mount -t tmpfs -o mode=0755 tmpfs /run',
    'mkdir -m 0755 /run/sshd',
    'mount -t tmpfs -o mode=0700 tmpfs /root',
    ...binds.map(([src, dst]) => `mount --bind ${q(src)} ${q(dst)}`),
    ...readOnly.flatMap((p) => [`mount --bind ${q(p)} ${q(p)}`, `mount -o remount,bind,ro ${q(p)}`]),
    `exec /usr/sbin/sshd -D -e -f ${q(cfg)}`,
  ].join('\n');
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  return { pid: child.pid!, log };
}

export async function startSshd(opts: SshdOptions): Promise<SshdNode> {
  mkdirSync(opts.dir, { recursive: true });
  writeFileSync(join(opts.dir, 'authorized_keys'), opts.authorizedKeys);
  const port = opts.port ?? (await freePort());
  let hostKey = newHostKey(opts.dir);
  let proc = launch(opts.dir, config(opts.dir, port, hostKey, opts.setEnv), opts.readOnly ?? [], opts.binds ?? []);
  await waitForPort(port);
  const node: SshdNode = {
    dir: opts.dir,
    port,
    get hostKey() {
      return hostKey;
    },
    get pid() {
      return proc.pid;
    },
    log: proc.log,
    kill: () => killTree(proc.pid),
    async restart(r = {}) {
      killTree(proc.pid);
      if (r.newHostKey) hostKey = newHostKey(opts.dir);
      proc = launch(opts.dir, config(opts.dir, port, hostKey, opts.setEnv), opts.readOnly ?? [], opts.binds ?? []);
      await waitForPort(port);
    },
  };
  return node;
}

/** `ssh-keygen -lf`'s SHA256 fingerprint of a host key: what the refusal must quote. */
export function fingerprintOf(hostKey: string): string {
  const out = sh('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`]);
  return out.split(/\s+/)[1]!;
}

/** Sanity check that OpenSSH's own client reaches the node (used when a test needs proof of life). */
export function sshWorks(node: SshdNode, key: string, knownHosts: string): boolean {
  const r = spawnSync('ssh', ['-i', key, '-p', String(node.port), '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=no', 'root@127.0.0.1', 'true'], { encoding: 'utf8' });
  return r.status === 0;
}
