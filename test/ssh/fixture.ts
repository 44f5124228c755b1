import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, type CoreContext } from '../../src-main/core/context.ts';
import { runCli, runCliAsync, sh, tempDir, cleanup, type CliRun } from '../helpers/cli.ts';
import { freePort } from '../helpers/ports.ts';
import { startSshd, killTree, type SshdNode } from './sshd.ts';
import type { HostKeyFiles } from '../../src-main/ssh/index.ts';

/**
 * A vault with a CA, a user SSH key, and nodes that are real sshd instances (see sshd.ts). A node
 * may run a real nats-server with TLS from its pushed bundle, started and restarted by the node's
 * own restart command over SSH, so the live check talks to a real service.
 */

export interface TestNode {
  name: string;
  sshd: SshdNode;
  dir: string;
  dest: string;
  natsPort?: number;
  natsPidFile?: string;
}

export interface Cluster {
  dir: string;
  home: string;
  pass: string;
  /** HOME for the CLI: its ~/.ssh/known_hosts is the test's own. */
  userHome: string;
  key: string;
  nodes: TestNode[];
  cli(...args: string[]): CliRun;
  cliAsync(...args: string[]): Promise<CliRun>;
  ctx(): CoreContext;
  hostKeyFiles(): HostKeyFiles;
  addNode(name: string, opts?: NodeOptions): Promise<TestNode>;
  close(): void;
}

export interface NodeOptions {
  nats?: boolean;
  /** authorized_keys content (default: the cluster key). */
  authorizedKeys?: string;
  /** Make the node's folder read-only as its sshd sees it. */
  readOnlyDir?: boolean;
  /** Extra `node add` arguments. */
  args?: string[];
  /** Do not pass --ssh-key (agent or default identities must do). */
  noKey?: boolean;
  /**
   * The node gets its own copies of the Debian trust store (/etc/ssl/certs and
   * /usr/local/share/ca-certificates, bind-mounted in its namespace): trusting a CA there leaves
   * this machine's store alone.
   */
  privateTrustStore?: boolean;
  /** Environment of the node's SSH sessions (sshd SetEnv). */
  setEnv?: Record<string, string>;
}

export function natsPid(node: TestNode): number | null {
  if (!node.natsPidFile || !existsSync(node.natsPidFile)) return null;
  const pid = Number(readFileSync(node.natsPidFile, 'utf8').trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

function restartScript(dir: string): string {
  const script = join(dir, 'restart.sh');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      'set -e',
      `d='${dir}'`,
      // Stop the running server (if any) and wait until it is gone, then start it on the new files.
      'if [ -f "$d/nats.pid" ] && kill -0 "$(cat "$d/nats.pid")" 2>/dev/null; then',
      '  pid=$(cat "$d/nats.pid"); kill "$pid"',
      '  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done',
      'fi',
      'setsid nats-server -c "$d/nats.conf" -P "$d/nats.pid" -l "$d/nats.log" </dev/null >/dev/null 2>&1 &',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return script;
}

export async function createCluster(): Promise<Cluster> {
  const dir = tempDir('ct-ssh-');
  const home = join(dir, 'vault');
  const pass = join(dir, 'passphrase');
  const userHome = join(dir, 'user-home');
  mkdirSync(join(userHome, '.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(pass, 'test passphrase for the vault\n', { mode: 0o600 });
  const key = join(dir, 'id_ed25519');
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cluster-trust-test', '-f', key]);
  const env = { HOME: userHome, SSH_AUTH_SOCK: '' };
  const base = ['--home', home, '--passphrase-file', pass];
  const nodes: TestNode[] = [];
  const cluster: Cluster = {
    dir,
    home,
    pass,
    userHome,
    key,
    nodes,
    cli: (...args) => runCli([...base, ...args], env),
    cliAsync: (...args) => runCliAsync([...base, ...args], env),
    ctx: () => createContext({ home, passphraseFile: pass }),
    hostKeyFiles: () => ({ readOnly: [join(userHome, '.ssh', 'known_hosts')], app: join(home, 'known_hosts'), lock: join(home, '.lock') }),
    async addNode(name, opts = {}) {
      const nodeDir = join(dir, 'nodes', name);
      const etc = join(nodeDir, 'etc');
      mkdirSync(etc, { recursive: true });
      const binds: Array<[string, string]> = [];
      if (opts.privateTrustStore) {
        for (const [src, copy] of [['/etc/ssl/certs', 'ssl-certs'], ['/usr/local/share/ca-certificates', 'local-ca']] as const) {
          sh('cp', ['-a', src, join(nodeDir, copy)]);
          binds.push([join(nodeDir, copy), src]);
        }
      }
      const sshd = await startSshd({
        dir: nodeDir,
        authorizedKeys: opts.authorizedKeys ?? readFileSync(`${key}.pub`, 'utf8'),
        ...(opts.readOnlyDir ? { readOnly: [etc] } : {}),
        binds,
        ...(opts.setEnv ? { setEnv: opts.setEnv } : {}),
      });
      const node: TestNode = { name, sshd, dir: nodeDir, dest: join(etc, 'tls') };
      const args = ['node', 'add', name, '--ip', '127.0.0.1', '--dns', 'localhost', '--ssh', `root@127.0.0.1:${sshd.port}`, '--dest', node.dest, ...(opts.noKey ? [] : ['--ssh-key', key]), ...(opts.args ?? [])];
      if (opts.nats) {
        node.natsPort = await freePort();
        node.natsPidFile = join(nodeDir, 'nats.pid');
        writeFileSync(
          join(nodeDir, 'nats.conf'),
          `host: 127.0.0.1\nport: ${node.natsPort}\ntls {\n  cert_file: "${node.dest}/node.crt"\n  key_file: "${node.dest}/node.key"\n  ca_file: "${node.dest}/ca.crt"\n}\n`,
        );
        args.push('--restart', `sh ${restartScript(nodeDir)}`, '--verify-port', String(node.natsPort));
      }
      nodes.push(node); // before anything can fail, so close() stops its sshd
      const r = cluster.cli(...args);
      if (r.code !== 0) throw new Error(`node add ${name} failed: ${r.stderr}`);
      return node;
    },
    close() {
      for (const n of nodes) {
        const pid = natsPid(n);
        if (pid) process.kill(pid, 'SIGKILL');
        killTree(n.sshd.pid);
      }
      cleanup(dir);
    },
  };
  const init = cluster.cli('ca', 'init', '--name', 'SSH push test CA');
  if (init.code !== 0) {
    cleanup(dir);
    throw new Error(`ca init failed: ${init.stderr}`);
  }
  return cluster;
}

/** The SHA-256 (hex) of a node's current certificate, from the vault. */
export function currentFingerprint(cluster: Cluster, node: string): string {
  const r = cluster.cli('--json', 'node', 'show', node);
  const shown = JSON.parse(r.stdout) as { certificates: Array<{ fingerprint: string; status: string }> };
  return shown.certificates[0]!.fingerprint;
}

export function hostsLine(node: TestNode): string {
  return `[127.0.0.1]:${node.sshd.port}`;
}
