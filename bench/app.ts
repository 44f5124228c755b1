// `npm run bench -- app`: the desktop app on a vault of BENCH_SCALE_N (default 10,000) nodes, each
// with one ECDSA certificate, measured side by side in one run (interleaved rounds, medians):
//   launch to the first painted screen vs a bare Electron window (and vs another build of the app,
//   BENCH_APP_BASELINE=path/to/its/dist, to compare a change before and after in the same run),
//   with the startup trace's marks (where the time goes); switching to Nodes and to Lifecycle; the
//   main process's RSS. BENCH_APP_VAULT=DIR reuses a vault built by `bench/scale-vault.ts DIR N`.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bareRuntime, ensureDisplay, launchTraced } from './cold-start.ts';
import { buildScaleVault } from './scale-vault.ts';
import { GUI_SKIP, RUNTIME_DIR, launchApp, launchEnv, stagedRuntime } from '../test/e2e/harness.ts';

const ROOT = resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;

/** The test runtime with another build (a dist/ folder) installed as its app. */
function stageBuild(base: string, dist: string): string {
  const dir = join(base, 'baseline-runtime');
  if (spawnSync('cp', ['-al', RUNTIME_DIR!, dir]).status !== 0) cpSync(RUNTIME_DIR!, dir, { recursive: true });
  const app = join(dir, 'resources', 'app');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), readFileSync(join(ROOT, 'package.json')));
  cpSync(dist, join(app, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
  return join(dir, 'electron');
}

interface Variant {
  label: string;
  executable: string;
  home: string;
  times: number[];
  marks: Array<Record<string, number>>;
}

async function launchRows(scratch: string, home: string, pass: string, n: number): Promise<void> {
  const variants: Variant[] = [
    { label: 'bare Electron window (same runtime)', executable: bareRuntime(scratch), home: join(scratch, 'unused'), times: [], marks: [] },
    { label: `Cluster Trust, ${n} nodes`, executable: stagedRuntime().executable, home, times: [], marks: [] },
  ];
  const baseline = process.env.BENCH_APP_BASELINE;
  if (baseline) variants.push({ label: `baseline build (${baseline}), ${n} nodes`, executable: stageBuild(scratch, resolve(baseline)), home, times: [], marks: [] });
  // One launch of each build first, unmeasured: it writes the code cache any later start finds.
  for (const v of variants.slice(1)) await launchTraced(v.executable, launchEnv(v.home, mkdtempSync(join(scratch, 'profile-')), { CLUSTER_TRUST_TRACE_STARTUP: '1', CLUSTER_TRUST_PASSPHRASE_FILE: pass }));
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of variants) {
      const profile = mkdtempSync(join(scratch, 'profile-'));
      const t = await launchTraced(v.executable, launchEnv(v.home, profile, { CLUSTER_TRUST_TRACE_STARTUP: '1', CLUSTER_TRUST_PASSPHRASE_FILE: pass }));
      v.times.push(t.ms);
      v.marks.push(t.marks);
      rmSync(profile, { recursive: true, force: true });
    }
  }
  const bare = median(variants[0]!.times);
  console.log(`  launch -> first painted screen, median of ${ROUNDS} interleaved rounds (Electron 25.1.1 test runtime)`);
  for (const v of variants) {
    const m = median(v.times);
    console.log(`    ${v.label.padEnd(48)} ${ms(m).padStart(8)}   ${(m / bare).toFixed(2)}x bare  (target <= 2x)`);
  }
  for (const v of variants.slice(1)) {
    const names = [...new Set(v.marks.flatMap((m) => Object.keys(m)))].sort((a, b) => median(v.marks.map((m) => m[a] ?? 0)) - median(v.marks.map((m) => m[b] ?? 0)));
    console.log(`    where the time goes (${v.label}; ms since the process started, medians):`);
    console.log(`      ${names.map((k) => `${k} ${median(v.marks.filter((m) => k in m).map((m) => m[k]!))}`).join(' | ')}`);
  }
}

async function sessionRows(home: string, pass: string, n: number): Promise<void> {
  const gui = await launchApp({ home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: pass } });
  try {
    const { page, app } = gui;
    await page.locator('[data-testid=nodes-table]').waitFor({ timeout: 300_000 });
    const switchTo = async (section: string, ready: string): Promise<number> => {
      const t0 = performance.now();
      await page.locator(`[data-section=${section}]`).click();
      await page.locator(ready).waitFor({ timeout: 300_000 });
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(null))));
      return performance.now() - t0;
    };
    const sections: Array<[string, string, string]> = [
      ['Lifecycle', 'lifecycle', '[data-testid=lifecycle-counts]'],
      ['Nodes', 'nodes', `[data-testid=nodes-table][data-rows="${n}"]`],
      ['Push', 'push', '[data-view=push]'],
    ];
    const times = new Map<string, number[]>(sections.map(([label]) => [label, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const [label, id, ready] of sections) {
        if (label === 'Push' && !(await page.locator('[data-section=push]').count())) continue;
        times.get(label)!.push(await switchTo(id, ready));
      }
    }
    for (const [label, xs] of times) {
      if (!xs.length) continue;
      const t = median(xs);
      console.log(`  switch to ${label}, ${n} nodes: ${ms(t)} (median of ${xs.length}; all ${xs.map((x) => x.toFixed(0)).join(', ')}) | target <= 300 ms: ${t <= 300 ? 'met' : 'MISSED'}`);
    }
    const rss = await app.evaluate(() => process.memoryUsage().rss);
    console.log(`  main process RSS after those, ${n} nodes: ${(rss / 1048576).toFixed(0)} MB | target < 300 MB: ${rss < 300 * 1048576 ? 'met' : 'MISSED'}`);
  } finally {
    await gui.close();
  }
}

export async function run(): Promise<void> {
  if (GUI_SKIP) {
    console.log(`app: NOT MEASURED (${GUI_SKIP})`);
    return;
  }
  const n = Number(process.env.BENCH_SCALE_N ?? 10_000);
  const scratch = mkdtempSync(join(tmpdir(), 'ct-bench-app-'));
  const xvfb = await ensureDisplay();
  console.log(`${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  try {
    const reuse = process.env.BENCH_APP_VAULT;
    let vault: { home: string; pass: string };
    if (reuse && existsSync(join(reuse, 'home', 'inventory.json'))) vault = { home: join(reuse, 'home'), pass: join(reuse, 'passphrase') };
    else {
      const t0 = performance.now();
      vault = await buildScaleVault(join(scratch, 'vault'), n);
      console.log(`  built a vault of ${n} nodes through the core API in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const count = (JSON.parse(readFileSync(join(vault.home, 'inventory.json'), 'utf8')) as { nodes: unknown[] }).nodes.length;
    await launchRows(scratch, vault.home, vault.pass, count);
    await sessionRows(vault.home, vault.pass, count);
  } catch (err) {
    console.log(`  app: NOT MEASURED (${(err as Error).message})`);
  } finally {
    xvfb?.kill();
    rmSync(scratch, { recursive: true, force: true });
  }
}
