// `npm run bench -- scale`: issue 16's table in one run. A vault of BENCH_SCALE_N (default 10,000)
// nodes is built with the CLI (`node import` + `issue --all`), then each row is measured side by
// side with its reference (interleaved rounds, median), as ratios:
//   CLI      help / status / node list --json / node show / issue NAME   vs a bare `node -e 0`
//   issue    `issue --all` for all nodes vs bare native keygen+sign of as many certs (same run);
//            `issue --all` for 50 nodes in one CLI process vs 50 mkcert runs
//   app      launch to first frame vs a bare Electron window; switching Nodes / Lifecycle / Nodes;
//            rows in the table's DOM; a search keystroke; the main process's RSS
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { exec, timeMkcert, timeNativeLimit } from './issue.ts';
import { startKeyring } from './keyring.ts';
import { bareRuntime, ensureDisplay, launchOnce } from './cold-start.ts';
import { GUI_SKIP, launchApp, launchEnv, stagedRuntime } from '../test/e2e/harness.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'cluster-trust.cjs');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`);

interface Row {
  what: string;
  ours: string;
  reference: string;
  ratio: string;
  target: string;
  met: boolean | null;
}
const rows: Row[] = [];
function row(what: string, ours: string, reference: string, ratio: string, target: string, met: boolean | null): void {
  rows.push({ what, ours, reference, ratio, target, met });
  console.log(`  ${what}: ${ours} | ${reference} | ${ratio} | target ${target}${met === null ? '' : met ? ': met' : ': MISSED'}`);
}

function linesFile(dir: string, n: number): string {
  const file = join(dir, `nodes-${n}.txt`);
  const lines = Array.from({ length: n }, (_, i) => `node-${i} 10.${Math.floor(i / 250) % 256}.${i % 250}.${1 + Math.floor(i / 64_000)} node-${i}.bench.test`);
  writeFileSync(file, `# ${n} bench nodes\n${lines.join('\n')}\n`);
  return file;
}

async function timed(args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  const t0 = performance.now();
  await exec(process.execPath, args, env);
  return performance.now() - t0;
}

/** The default configuration's vault: the CA passphrase the app generated, in the OS keychain. */
interface KeychainVault {
  home: string;
  env: NodeJS.ProcessEnv;
}

/** A vault of n nodes (none issued yet) whose CA `ca init` made with its passphrase in the keychain. */
async function keychainVault(scratch: string, n: number, env: NodeJS.ProcessEnv): Promise<KeychainVault> {
  const home = join(scratch, `vault-keychain-${n}`);
  const noFile = { ...env, CLUSTER_TRUST_PASSPHRASE_FILE: '' };
  await exec(process.execPath, [CLI, '--home', home, 'ca', 'init', '--name', `Bench ${n} (keychain)`], noFile);
  await exec(process.execPath, [CLI, '--home', home, 'node', 'import', linesFile(scratch, n)], noFile);
  return { home, env: noFile };
}

async function issuedKeychainVault(scratch: string, n: number, env: NodeJS.ProcessEnv): Promise<KeychainVault> {
  const vault = await keychainVault(scratch, n, env);
  await exec(process.execPath, [CLI, '--home', vault.home, '--json', 'issue', '--all'], vault.env);
  return vault;
}

async function cliRows(home: string, pass: string, n: number, keychain: KeychainVault | string): Promise<void> {
  const base = [CLI, '--home', home, '--passphrase-file', pass];
  const probe = `node-${Math.floor(n / 2)}`;
  // Reads first, on an unchanged vault (a monitoring `status` every few minutes mostly finds none):
  // the first read after a change stores the nodes view the next reads use; that first read is its
  // own row below, measured right after each `issue`.
  const reads: Array<[string, string[], number]> = [
    ['`cluster-trust help` (CLI start)', [CLI, 'help'], 1.6],
    ['`status`', [...base, 'status'], 4],
    ['`node list --json`', [...base, '--json', 'node', 'list'], 4],
    [`\`node show ${probe}\``, [...base, 'node', 'show', probe], 4],
  ];
  // Warm the code caches once, as any second run of the CLI finds them.
  for (const [, args] of reads) await timed(args);
  const bare: number[] = [];
  const times = reads.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    bare.push(await timed(['-e', '0']));
    for (let i = 0; i < reads.length; i++) times[i]!.push(await timed(reads[i]![1]));
  }
  const issue: number[] = [];
  const issueKeychain: number[] = [];
  const firstStatus: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    bare.push(await timed(['-e', '0']));
    if (typeof keychain !== 'string') issueKeychain.push(await timed([CLI, '--home', keychain.home, '--json', 'issue', probe], keychain.env));
    issue.push(await timed([...base, '--json', 'issue', probe]));
    firstStatus.push(await timed([...base, 'status']));
  }
  const b = median(bare);
  const ratioRow = (what: string, t: number, target: number | null) =>
    row(`${what}, ${n} nodes`, ms(t), `bare \`node -e 0\` ${ms(b)}`, `${(t / b).toFixed(2)}x`, target === null ? 'none (for the record)' : `<= ${target}x`, target === null ? null : t / b <= target);
  reads.forEach(([what, , target], i) => ratioRow(what, median(times[i]!), target));
  if (typeof keychain !== 'string') ratioRow(`\`issue ${probe}\` (the CA passphrase in the OS keychain, as \`ca init\` makes it)`, median(issueKeychain), 4);
  else row(`\`issue ${probe}\`, keychain`, '-', '-', '-', '<= 4x', null), console.log(`  keychain: NOT MEASURED (${keychain})`);
  ratioRow(`\`issue ${probe}\` (a chosen passphrase in a file: the CA key's 600,000-iteration KDF, ~0.4 s by design)`, median(issue), null);
  ratioRow('`status` right after a change (rebuilds and stores the nodes view)', median(firstStatus), null);
}

async function issueRows(scratch: string, pass: string, n: number, allMs: number, keyringEnv: NodeJS.ProcessEnv | string): Promise<void> {
  const native = await timeNativeLimit(n, 'ecdsa-p256');
  const ratio = allMs / native.ms;
  row(`\`issue --all\`, ${n} ECDSA certs (CLI, ${availableParallelism()} cores)`, `${ms(allMs)} (${(allMs / n).toFixed(2)} ms/cert)`, `native limit: Node keygen + one native signature per cert, no X.509 encoding, nothing stored ${ms(native.ms)} (${(native.ms / n).toFixed(2)} ms/cert)`, `${ratio.toFixed(2)}x`, '<= 5x the native limit, both cores used', ratio <= 5);
  // 50 nodes in the default configuration (the CA passphrase in the OS keychain, as `ca init` makes
  // it), and, for the record, under a chosen passphrase in a file (600,000 PBKDF2 iterations by design).
  const fileArgs = ['--passphrase-file', pass];
  const home50 = join(scratch, 'vault-50');
  await exec(process.execPath, [CLI, '--home', home50, ...fileArgs, 'ca', 'init', '--name', 'Bench 50']);
  await exec(process.execPath, [CLI, '--home', home50, ...fileArgs, 'node', 'import', linesFile(scratch, 50)]);
  const keychain50 = typeof keyringEnv === 'string' ? null : await keychainVault(scratch, 50, keyringEnv);
  const ours: number[] = [];
  const oursKeychain: number[] = [];
  const mk: number[] = [];
  for (let r = 0; r < Math.min(ROUNDS, 3); r++) {
    if (keychain50) oursKeychain.push(await timed([CLI, '--home', keychain50.home, '--json', 'issue', '--all'], keychain50.env));
    ours.push(await timed([CLI, '--home', home50, ...fileArgs, '--json', 'issue', '--all']));
    mk.push(await timeMkcert(50, 'ecdsa-p256', 1, scratch));
  }
  const m = median(mk);
  if (keychain50) {
    const k = median(oursKeychain);
    row('`issue --all`, 50 ECDSA nodes, one CLI process (the CA passphrase in the OS keychain, as `ca init` makes it)', ms(k), `50 mkcert runs ${ms(m)}`, `${(m / k).toFixed(2)}x faster`, '>= 3x faster than mkcert', m / k >= 3);
  } else {
    row('`issue --all`, 50 ECDSA nodes, keychain', '-', '-', '-', '>= 3x faster than mkcert', null);
    console.log(`  keychain: NOT MEASURED (${keyringEnv})`);
  }
  const o = median(ours);
  row('`issue --all`, 50 ECDSA nodes, one CLI process (a chosen passphrase in a file: the CA key\'s 600,000-iteration KDF)', ms(o), `50 mkcert runs ${ms(m)}`, `${(m / o).toFixed(2)}x faster`, 'none (for the record)', null);
}

async function appRows(scratch: string, home: string, pass: string, n: number): Promise<void> {
  if (GUI_SKIP) {
    row('app rows', '-', '-', '-', 'see issue', null);
    console.log(`  app: NOT MEASURED (${GUI_SKIP})`);
    return;
  }
  const xvfb = await ensureDisplay();
  try {
    const { executable } = stagedRuntime();
    const bareExe = bareRuntime(scratch);
    const bare: number[] = [];
    const ours: number[] = [];
    for (let r = 0; r < Math.min(ROUNDS, 3); r++) {
      const p1 = mkdtempSync(join(scratch, 'profile-'));
      bare.push(await launchOnce(bareExe, launchEnv(join(scratch, 'unused'), p1)));
      const p2 = mkdtempSync(join(scratch, 'profile-'));
      ours.push(await launchOnce(executable, launchEnv(home, p2, { CLUSTER_TRUST_TRACE_STARTUP: '1', CLUSTER_TRUST_PASSPHRASE_FILE: pass })));
    }
    const b = median(bare);
    const o = median(ours);
    row(`app launch to first screen, ${n} nodes`, ms(o), `bare Electron window ${ms(b)}`, `${(o / b).toFixed(2)}x`, '<= 2x', o / b <= 2);

    const gui = await launchApp({ home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: pass } });
    try {
      const { page, app } = gui;
      const table = page.locator('[data-testid=nodes-table]');
      await table.waitFor({ timeout: 300_000 });
      const switchTo = async (section: string, ready: string): Promise<number> => {
        const t0 = performance.now();
        await page.locator(`[data-section=${section}]`).click();
        await page.locator(ready).waitFor({ timeout: 300_000 });
        await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(null))));
        return performance.now() - t0;
      };
      const switches: Array<[string, number]> = [];
      for (let r = 0; r < 2; r++) {
        switches.push(['Lifecycle', await switchTo('lifecycle', '[data-testid=lifecycle-counts]')]);
        switches.push(['Nodes', await switchTo('nodes', `[data-testid=nodes-table][data-rows="${n}"]`)]);
      }
      for (const label of ['Nodes', 'Lifecycle']) {
        const t = median(switches.filter(([l]) => l === label).map(([, x]) => x));
        row(`switch to ${label}, ${n} nodes`, ms(t), '-', '-', '<= 300 ms', t <= 300);
      }
      const domRows = await page.locator('[data-testid=nodes-table] tr').count();
      row(`rows in the node table's DOM, ${n} nodes`, String(domRows), `${n} nodes`, '-', '<= 500', domRows <= 500);
      const probe = `node-${n - 3}`;
      const search = page.locator('[data-testid=node-search]');
      await search.focus();
      // One keystroke: the last character of the name, timed from the key to the filtered table painted.
      await search.fill(probe.slice(0, -1));
      await page.locator('[data-testid=nodes-table]').waitFor();
      const t0 = performance.now();
      await search.press(probe.slice(-1));
      await page.locator(`[data-testid=nodes-table] tr[data-node="${probe}"]`).waitFor();
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(null))));
      const key = performance.now() - t0;
      row(`search keystroke to result on screen, ${n} nodes`, ms(key), '-', '-', '<= 300 ms (on screen)', key <= 300);
      const rss = await app.evaluate(() => process.memoryUsage().rss);
      row(`main process RSS, ${n} nodes`, `${(rss / 1048576).toFixed(0)} MB`, '-', '-', '< 300 MB', rss < 300 * 1048576);
    } finally {
      await gui.close();
    }
  } catch (err) {
    console.log(`  app: NOT MEASURED (${(err as Error).message})`);
  } finally {
    xvfb?.kill();
  }
}

export async function run(): Promise<void> {
  const n = Number(process.env.BENCH_SCALE_N ?? 10_000);
  if (!Number.isInteger(n) || n < 100) throw new Error('BENCH_SCALE_N must be a whole number of at least 100');
  const scratch = mkdtempSync(join(tmpdir(), 'ct-bench-scale-'));
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`${n} nodes, ${availableParallelism()} cores (load average ${load}); medians of ${ROUNDS} interleaved rounds`);
  try {
    const home = join(scratch, 'vault');
    const pass = join(scratch, 'pass');
    writeFileSync(pass, 'scale benchmark passphrase 0123456789\n', { mode: 0o600 });
    spawnSync(process.execPath, [CLI, '--home', home, '--passphrase-file', pass, 'ca', 'init', '--name', 'Scale CA'], { stdio: 'ignore' });
    const importMs = await timed([CLI, '--home', home, '--passphrase-file', pass, 'node', 'import', linesFile(scratch, n)]);
    console.log(`  built: node import of ${n} nodes ${ms(importMs)}`);
    const allMs = await timed([CLI, '--home', home, '--passphrase-file', pass, '--json', 'issue', '--all']);
    console.log(`  built: issue --all ${ms(allMs)}`);
    const keyring = startKeyring();
    try {
      const keyringEnv = 'env' in keyring ? keyring.env : keyring.why;
      await issueRows(scratch, pass, n, allMs, keyringEnv);
      await cliRows(home, pass, n, typeof keyringEnv === 'string' ? keyringEnv : await issuedKeychainVault(scratch, n, keyringEnv));
    } finally {
      if ('stop' in keyring) keyring.stop();
    }
    await appRows(scratch, home, pass, n);
    console.log('\n| what | ours | reference | ratio | target |\n|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.what} | ${r.ours} | ${r.reference} | ${r.ratio} | ${r.target}${r.met === null ? '' : r.met ? ': met' : ': missed'} |`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
