// Push bundles to N loopback sshd nodes (default 50; CT_BENCH_PUSH_NODES=N) and compare, in one run:
// ours at concurrency 1 and 8 (atomic install + live TLS check), a sequential `scp` + `ssh mv` loop
// (what the seeds do by hand), and Debian's parallel-scp at concurrency 8 (copy only).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { createContext } from '../src-main/core/context.ts';
import { initCa } from '../src-main/core/ca.ts';
import { addNodes } from '../src-main/core/nodes.ts';
import { issueForNodes } from '../src-main/core/issue.ts';
import { buildNodeBundle, type NodeBundle } from '../src-main/core/bundle.ts';
import { writeBundleDir } from '../src-main/bundle/write.ts';
import { pushBundles } from '../src-main/ssh/index.ts';
import { startSshd, killTree, type SshdNode } from '../test/ssh/sshd.ts';
import { freePort } from '../test/helpers/ports.ts';
import { tempDir, cleanup, sh } from '../test/helpers/cli.ts';

interface BenchNode {
  name: string;
  sshd: SshdNode;
  /** The node's /srv as this machine sees it (each sshd sees its own folder at /srv). */
  srv: string;
  tlsPort: number;
}

const DEST = '/srv/tls';

function resetNodes(nodes: BenchNode[]): void {
  for (const n of nodes) for (const e of readdirSync(n.srv)) rmSync(join(n.srv, e), { recursive: true, force: true });
}

function assertInstalled(nodes: BenchNode[], what: string): void {
  for (const n of nodes) {
    const files = readdirSync(join(n.srv, 'tls'));
    if (!files.includes('node.key') || !files.includes('node.crt')) throw new Error(`${what}: ${n.name} did not get its bundle`);
  }
}

async function timed(fn: () => Promise<void> | void): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * A plain TLS service per node that serves whatever files are pushed now (read on every connection,
 * so no restart is needed; the context is rebuilt only when they change, as a service loads its
 * certificate once).
 */
async function tlsService(srv: string): Promise<{ port: number; server: Server }> {
  const port = await freePort();
  let loaded: { pem: string; ctx: ReturnType<typeof createSecureContext> } | null = null;
  const server = createServer((sock) => {
    try {
      const cert = readFileSync(join(srv, 'tls', 'node.crt'), 'utf8');
      const key = readFileSync(join(srv, 'tls', 'node.key'), 'utf8');
      if (loaded?.pem !== cert + key) loaded = { pem: cert + key, ctx: createSecureContext({ cert, key }) };
      const tls = new TLSSocket(sock, { isServer: true, secureContext: loaded.ctx });
      tls.on('error', () => tls.destroy());
    } catch {
      sock.destroy(); // nothing pushed yet
    }
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { port, server };
}

export async function run(): Promise<void> {
  const count = Number(process.env.CT_BENCH_PUSH_NODES ?? 50);
  const par = 8;
  if (!Number.isInteger(count) || count < 1) throw new Error('CT_BENCH_PUSH_NODES must be a positive whole number');
  const dir = tempDir('ct-bench-push-');
  const nodes: BenchNode[] = [];
  const servers: Server[] = [];
  try {
    const pass = join(dir, 'passphrase');
    writeFileSync(pass, 'bench passphrase for the vault\n', { mode: 0o600 });
    const key = join(dir, 'id_ed25519');
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const ctx = createContext({ home: join(dir, 'vault'), passphraseFile: pass });
    await initCa(ctx, { name: 'Bench CA' });

    process.stdout.write(`starting ${count} sshd nodes on loopback... `);
    for (let i = 0; i < count; i++) {
      const nodeDir = join(dir, 'nodes', `b${i}`);
      const srv = join(nodeDir, 'srv');
      mkdirSync(srv, { recursive: true });
      const sshd = await startSshd({ dir: nodeDir, authorizedKeys: readFileSync(`${key}.pub`, 'utf8'), binds: [[srv, '/srv']] });
      const svc = await tlsService(srv);
      servers.push(svc.server);
      nodes.push({ name: `b${i}`, sshd, srv, tlsPort: svc.port });
    }
    console.log('done');
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, nodes.map((n) => `[127.0.0.1]:${n.sshd.port} ${readFileSync(`${n.sshd.hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}`).join('\n') + '\n');
    await addNodes(ctx, nodes.map((n) => ({ name: n.name, ips: ['127.0.0.1'], ssh: `root@127.0.0.1:${n.sshd.port}`, sshKey: key, dest: DEST, verifyPort: n.tlsPort })));
    await issueForNodes(ctx, 'all');

    // Bundles are built once, outside every timing: the copy tools get the same files from disk.
    const bundles = new Map<string, NodeBundle>();
    const buildSeconds = await timed(async () => {
      for (const n of nodes) bundles.set(n.name, await buildNodeBundle(ctx, n.name));
    });
    const local = join(dir, 'local');
    mkdirSync(local);
    for (const n of nodes) writeBundleDir(bundles.get(n.name)!.files, join(local, n.name));

    const hostKeyFiles = { readOnly: [knownHosts], app: join(dir, 'vault', 'known_hosts'), lock: join(dir, 'vault', '.lock') };
    const ours = async (concurrency: number, verify: boolean): Promise<number> => {
      resetNodes(nodes);
      let results: Awaited<ReturnType<typeof pushBundles>> = [];
      const t = await timed(async () => {
        results = await pushBundles(ctx, 'all', { concurrency, verify, hostKeyFiles, auth: { agent: null, defaultIdentities: [] }, loadBundle: async (name) => bundles.get(name)! });
      });
      const bad = results.filter((r) => r.status !== 'updated' || (verify && !r.verify?.ok));
      if (bad.length) throw new Error(`our push failed on ${bad.length} nodes: ${bad[0]!.node}: ${bad[0]!.message}`);
      assertInstalled(nodes, 'ours');
      return t;
    };
    const sshOpts = ['-i', key, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`];
    const sequential = async (): Promise<number> => {
      resetNodes(nodes);
      const t = await timed(() => {
        for (const n of nodes) {
          const port = String(n.sshd.port);
          const scp = spawnSync('scp', ['-q', '-r', '-P', port, ...sshOpts, join(local, n.name), `root@127.0.0.1:${DEST}.new`], { encoding: 'utf8' });
          if (scp.status !== 0) throw new Error(`scp to ${n.name} failed: ${scp.stderr}`);
          const mv = spawnSync('ssh', ['-p', port, ...sshOpts, 'root@127.0.0.1', `if [ -e ${DEST} ]; then rm -rf ${DEST}.prev && mv ${DEST} ${DEST}.prev; fi && mv ${DEST}.new ${DEST}`], { encoding: 'utf8' });
          if (mv.status !== 0) throw new Error(`ssh mv on ${n.name} failed: ${mv.stderr}`);
        }
      });
      assertInstalled(nodes, 'scp loop');
      return t;
    };
    const pssh = async (): Promise<number> => {
      resetNodes(nodes);
      const hosts = join(dir, 'pssh-hosts');
      writeFileSync(hosts, nodes.map((n) => `root@127.0.0.1:${n.sshd.port}`).join('\n') + '\n');
      // parallel-scp copies the same local files to every host: one node's bundle stands in for all.
      const t = await timed(() => {
        const r = spawnSync('parallel-scp', ['-h', hosts, '-p', String(par), '-r', '-t', '0', '-x', sshOpts.join(' '), join(local, nodes[0]!.name), DEST], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`parallel-scp failed: ${r.stdout}${r.stderr}`);
      });
      assertInstalled(nodes, 'parallel-scp');
      return t;
    };

    // Warm-up (page cache, first sshd forks), not counted.
    await ours(par, false);
    const ours1 = await ours(1, true);
    const ours8 = await ours(par, true);
    const ours8NoVerify = await ours(par, false);
    const seq = await sequential();
    const pscp = await pssh();

    const f = (s: number): string => `${s.toFixed(2)} s`.padStart(9);
    console.log(`nodes: ${count}; bundle build (core, once, outside the timings): ${buildSeconds.toFixed(2)} s`);
    console.log(`ours, concurrency 1 (atomic install + live TLS check)   ${f(ours1)}`);
    console.log(`ours, concurrency ${par} (atomic install + live TLS check)   ${f(ours8)}`);
    console.log(`ours, concurrency ${par}, --no-verify                        ${f(ours8NoVerify)}`);
    console.log(`sequential scp + ssh mv loop (OpenSSH)                   ${f(seq)}`);
    console.log(`parallel-scp -p ${par} (copy only, same files everywhere)   ${f(pscp)}`);
    console.log(`ratio: scp loop / ours@${par}        = ${(seq / ours8).toFixed(1)}x   (target >= 8x)`);
    console.log(`ratio: parallel-scp@${par} / ours@${par} = ${(pscp / ours8).toFixed(2)}x  (target >= 1.00x: no slower)`);
    console.log(`ratio: ours@1 / ours@${par}          = ${(ours1 / ours8).toFixed(1)}x`);
  } finally {
    for (const s of servers) s.close();
    for (const n of nodes) killTree(n.sshd.pid);
    cleanup(dir);
  }
}
