/**
 * Cold start of the desktop app: from spawning Electron to the first frame painted after the app
 * has mounted (main prints a line when CLUSTER_TRUST_TRACE_STARTUP=1). Measured side by side, in
 * turn, against a bare Electron window on the same runtime, and with a vault of 200 nodes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { GUI_SKIP, RUNTIME_DIR, launchEnv, stagedRuntime, withDeadline } from '../test/e2e/harness.ts';
import { createContext } from '../src-main/core/context.ts';
import { initCa } from '../src-main/core/ca.ts';
import { addNodes } from '../src-main/core/nodes.ts';
import { issueForNodes } from '../src-main/core/issue.ts';

const RUNS = 7;
const NODES = 200;

/** The same "mounted, then one frame" signal as the app's startup trace, for an empty page. */
const BARE_MAIN = `
const { app, BrowserWindow } = require('electron');
// A fresh profile per launch, as the app gets: a profile kept from earlier runs starts faster.
if (process.env.CLUSTER_TRUST_USER_DATA) app.setPath('userData', process.env.CLUSTER_TRUST_USER_DATA);
app.whenReady().then(() => {
  const w = new BrowserWindow({ width: 1240, height: 800, show: false, webPreferences: { sandbox: true, contextIsolation: true } });
  w.once('ready-to-show', () => w.show());
  w.webContents.once('did-finish-load', () => {
    w.webContents.executeJavaScript('new Promise((done) => requestAnimationFrame(() => setTimeout(() => done(true), 0)))')
      .then(() => process.stdout.write('cluster-trust: first-frame\\n'));
  });
  w.loadURL('data:text/html,<div data-app-ready>bare</div>');
});
`;

export function bareRuntime(base: string): string {
  const dir = join(base, 'bare');
  if (spawnSync('cp', ['-al', RUNTIME_DIR!, dir]).status !== 0) cpSync(RUNTIME_DIR!, dir, { recursive: true });
  mkdirSync(join(dir, 'resources', 'app'), { recursive: true });
  writeFileSync(join(dir, 'resources', 'app', 'package.json'), JSON.stringify({ name: 'bare', main: 'main.cjs' }));
  writeFileSync(join(dir, 'resources', 'app', 'main.cjs'), BARE_MAIN);
  return join(dir, 'electron');
}

/**
 * Xvfb for one benchmark when there is no display; `kill()` stops it and takes DISPLAY back, so the
 * next benchmark of the same run starts its own instead of pointing at a display that is gone.
 */
export async function ensureDisplay(): Promise<{ kill(): void } | null> {
  if (process.env.DISPLAY) return null;
  const xvfb = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x860x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const display = await new Promise<string>((resolve, reject) => {
    xvfb.stdout!.on('data', (d: Buffer) => resolve(d.toString().trim()));
    xvfb.on('error', reject);
    xvfb.on('exit', () => reject(new Error('Xvfb exited')));
  });
  process.env.DISPLAY = `:${display}`;
  return {
    kill() {
      if (process.env.DISPLAY === `:${display}`) delete process.env.DISPLAY;
      xvfb.kill();
    },
  };
}

export async function launchOnce(executable: string, env: Record<string, string>): Promise<number> {
  return (await launchTraced(executable, env)).ms;
}

/** Launch -> first painted frame, with the trace's marks (ms since the process started) when it prints them. */
export async function launchTraced(executable: string, env: Record<string, string>): Promise<{ ms: number; marks: Record<string, number> }> {
  const start = performance.now();
  const marks: Record<string, number> = {};
  const child = spawn(executable, ['--no-sandbox'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  const ms = await withDeadline(new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      for (const m of out.matchAll(/cluster-trust: mark (\S+) (\d+)\n/g)) marks[m[1]!] ??= Number(m[2]);
      const line = /cluster-trust: first-frame[^\n]*\n/.exec(out)?.[0];
      if (line) {
        if (line.includes('bridge=no')) reject(new Error('the page came up without its preload bridge (is dist/preload.cjs the sandbox build? run `npm run build`)'));
        else {
          const at = /first-frame (\d+)/.exec(line);
          if (at) marks['first-frame'] = Number(at[1]);
          resolve(performance.now() - start);
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`exited (${code}) before its first frame`)));
  }), 180_000, 'launch').catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
  return { ms, marks };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<void> {
  if (GUI_SKIP) {
    console.log(`cold start: NOT MEASURED (${GUI_SKIP})`);
    return;
  }
  let executable: string;
  try {
    executable = stagedRuntime().executable;
  } catch (err) {
    // e.g. a preload rebuilt for Node by `npm run build:main` alone: say so, let other benchmarks run.
    console.log(`cold start: NOT MEASURED (${(err as Error).message})`);
    return;
  }
  const base = mkdtempSync(join(tmpdir(), 'ct-bench-start-'));
  const xvfb = await ensureDisplay();
  try {
    const passFile = join(base, 'pass');
    writeFileSync(passFile, 'cold start benchmark passphrase\n', { mode: 0o600 });
    const bigHome = join(base, 'big-vault');
    const ctx = createContext({ home: bigHome, passphraseFile: passFile });
    await initCa(ctx, { name: 'Bench CA' });
    await addNodes(ctx, Array.from({ length: NODES }, (_, i) => ({ name: `node-${i}`, ips: [`10.${i >> 8}.${i & 255}.1`] })));
    await issueForNodes(ctx, 'all');

    const variants: Array<{ label: string; executable: string; home: string; times: number[] }> = [
      { label: 'bare Electron window (same runtime)', executable: bareRuntime(base), home: join(base, 'unused'), times: [] },
      { label: 'Cluster Trust, first run (empty vault)', executable, home: join(base, 'empty-vault'), times: [] },
      { label: `Cluster Trust, ${NODES} nodes issued`, executable, home: bigHome, times: [] },
    ];
    // Interleaved, so machine noise spreads over all variants alike; each launch gets a fresh profile.
    for (let i = 0; i < RUNS; i++) {
      for (const v of variants) {
        const profile = mkdtempSync(join(base, 'profile-'));
        v.times.push(await launchOnce(v.executable, launchEnv(v.home, profile, { CLUSTER_TRUST_TRACE_STARTUP: '1', CLUSTER_TRUST_PASSPHRASE_FILE: passFile })));
        rmSync(profile, { recursive: true, force: true });
      }
    }
    const bare = median(variants[0]!.times);
    console.log(`launch -> first painted frame, median of ${RUNS} runs each, interleaved (Electron 25.1.1 test runtime)`);
    for (const v of variants) {
      const m = median(v.times);
      console.log(`  ${v.label.padEnd(42)} ${m.toFixed(0).padStart(6)} ms   ${(m / bare).toFixed(2)}x bare`);
    }
  } catch (err) {
    console.log(`cold start: NOT MEASURED (${(err as Error).message})`);
  } finally {
    xvfb?.kill();
    rmSync(base, { recursive: true, force: true });
  }
}
