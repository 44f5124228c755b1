/**
 * Runs the real app in the stock Electron 25 runtime: a private copy of the runtime per test process
 * (hard links, so it is cheap) with our built app installed as its resources/app, driven by
 * Playwright's _electron. Each launch gets its own vault (CLUSTER_TRUST_HOME) and Chromium profile.
 * Where the runtime cannot be found the GUI tests are skipped LOUDLY, never passed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { ROOT, tempDir } from '../helpers/cli.ts';

export const SCREENSHOTS = join(ROOT, 'test', 'e2e', 'screenshots');

function findRuntime(): { dir: string | null; why: string } {
  const recorded = join(ROOT, '.electron-runtime-path');
  if (existsSync(recorded)) {
    const dir = readFileSync(recorded, 'utf8').trim();
    if (existsSync(join(dir, 'electron'))) return { dir, why: '' };
  }
  // The fetch script answers from its cache at once, or fetches (checksum-checked) when it can.
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'fetch-electron-runtime.sh')], { encoding: 'utf8', timeout: 600_000 });
  const dir = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status === 0 && dir && existsSync(join(dir, 'electron'))) return { dir, why: '' };
  return { dir: null, why: (r.stderr || r.error?.message || `exit ${r.status}`).trim() };
}

const runtime = findRuntime();
/** The stock runtime's folder (never modified: launches use a private copy). */
export const RUNTIME_DIR = runtime.dir;
/** The build under test: the repo's dist/, or another complete build (CLUSTER_TRUST_E2E_DIST). */
export const DIST = process.env.CLUSTER_TRUST_E2E_DIST || join(ROOT, 'dist');
const built = existsSync(join(DIST, 'main.cjs')) && existsSync(join(DIST, 'preload.cjs')) && existsSync(join(DIST, 'renderer', 'index.html'));

/** `false` when the GUI tests can run, else the loud reason they are skipped (use as node:test's skip). */
export const GUI_SKIP: false | string = runtime.dir && built
  ? false
  : `GUI tests were NOT run: ${!runtime.dir ? `the Electron 25 test runtime is unavailable (${runtime.why})` : 'the app is not built (npm run build)'}`;

if (GUI_SKIP) {
  process.stderr.write(`\n${'!'.repeat(100)}\n!!! ${GUI_SKIP}\n${'!'.repeat(100)}\n\n`);
}

let staged: { dir: string; executable: string } | null = null;

/**
 * A private copy of the runtime with the current build as resources/app. The build (dist/) is
 * copied, so a rebuild during the run cannot change what is under test; node_modules (keytar, ssh2)
 * is linked.
 */
export function stagedRuntime(): { dir: string; executable: string } {
  if (staged) return staged;
  if (!runtime.dir) throw new Error(GUI_SKIP || 'no runtime');
  const base = mkdtempSync(join(tmpdir(), 'ct-electron-'));
  const dir = join(base, 'runtime');
  const r = spawnSync('cp', ['-al', runtime.dir, dir]);
  if (r.status !== 0) cpSync(runtime.dir, dir, { recursive: true });
  const app = join(dir, 'resources', 'app');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), readFileSync(join(ROOT, 'package.json')));
  cpSync(DIST, join(app, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') && !src.endsWith('cli.cjs') });
  // A preload bundled for Node (with a __filename banner) dies in the sandbox and the page gets no API.
  if (/\b__filename\b|require\(["'](?!electron["'])/.test(readFileSync(join(app, 'dist', 'preload.cjs'), 'utf8'))) {
    throw new Error(`${join(DIST, 'preload.cjs')} is not a sandbox-ready preload (it uses __filename or requires more than 'electron'); rebuild it with \`npm run build:renderer\``);
  }
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
  staged = { dir, executable: join(dir, 'electron') };
  process.on('exit', () => rmSync(base, { recursive: true, force: true }));
  return staged;
}

export interface Launched {
  app: ElectronApplication;
  page: Page;
  home: string;
  userData: string;
  /** Lines the main process printed (its warnings name every refused request and dropped message). */
  mainLog: string[];
  close(): Promise<void>;
}

export function launchEnv(home: string, userData: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  delete env.CLUSTER_TRUST_PASSPHRASE_FILE;
  return { ...env, CLUSTER_TRUST_HOME: home, CLUSTER_TRUST_USER_DATA: userData, ...extra };
}

/** Launches the app on a vault (a fresh one unless `home` is given) and waits for its first screen. */
export async function launchApp(opts: { home?: string; env?: Record<string, string>; wrap?: (executable: string) => string } = {}): Promise<Launched> {
  const staged = stagedRuntime().executable;
  // `wrap` gives a launcher that execs the runtime (for example inside a private mount namespace).
  const executable = opts.wrap ? opts.wrap(staged) : staged;
  const scratch = tempDir('ct-e2e-');
  const home = opts.home ?? join(scratch, 'vault');
  const userData = join(scratch, 'profile');
  const app = await _electron.launch({
    executablePath: executable,
    args: ['--no-sandbox'],
    env: launchEnv(home, userData, opts.env),
    timeout: 120_000,
    // Let the OS theme (Electron's nativeTheme) decide prefers-color-scheme, not Playwright's emulation.
    colorScheme: null,
  });
  // Test code is compiled with esbuild's keepNames: functions sent to evaluate() may call __name.
  await app.evaluate(() => {
    (globalThis as unknown as { __name: (f: unknown) => unknown }).__name = (f) => f;
  });
  const mainLog: string[] = [];
  const collect = (d: Buffer) => mainLog.push(...d.toString().split('\n').filter(Boolean));
  app.process().stdout?.on('data', collect);
  app.process().stderr?.on('data', collect);
  const page = await app.firstWindow({ timeout: 120_000 });
  await page.waitForSelector('[data-app-ready]', { timeout: 120_000 });
  return {
    app,
    page,
    home,
    userData,
    mainLog,
    async close() {
      await app.close().catch(() => {});
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Rejects when `promise` has not settled in `ms`: a process that never answers fails the test instead of hanging it. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/**
 * Replaces ONLY Electron's native file dialogs, inside the app's main process, with answers queued
 * by the test (a path, or null for Cancel). Everything behind the dialog runs for real.
 */
export async function queueDialogAnswers(app: ElectronApplication, answers: Array<string | null>): Promise<void> {
  await app.evaluate(({ dialog }, queued) => {
    const g = globalThis as unknown as { __ctAnswers?: Array<string | null>; __ctAsked?: Array<{ kind: string; title: string }> };
    g.__ctAnswers = [...(g.__ctAnswers ?? []), ...queued];
    g.__ctAsked ??= [];
    const next = (kind: string, opts: { title?: string }) => {
      g.__ctAsked!.push({ kind, title: String(opts?.title ?? '') });
      return g.__ctAnswers!.length ? g.__ctAnswers!.shift()! : null;
    };
    const optsOf = (a: unknown, b: unknown) => ((b ?? a) as { title?: string });
    dialog.showSaveDialog = (async (a: unknown, b: unknown) => {
      const p = next('save', optsOf(a, b));
      return p ? { canceled: false, filePath: p } : { canceled: true, filePath: '' };
    }) as typeof dialog.showSaveDialog;
    dialog.showOpenDialog = (async (a: unknown, b: unknown) => {
      const p = next('open', optsOf(a, b));
      return p ? { canceled: false, filePaths: [p] } : { canceled: true, filePaths: [] };
    }) as typeof dialog.showOpenDialog;
  }, answers);
}

/** The titles of the native dialogs the app asked for so far. */
export async function dialogsAsked(app: ElectronApplication): Promise<Array<{ kind: string; title: string }>> {
  return app.evaluate(() => (globalThis as unknown as { __ctAsked?: Array<{ kind: string; title: string }> }).__ctAsked ?? []);
}

export interface MessageBoxShown {
  title: string;
  message: string;
  detail: string;
  answer: 'ok' | 'cancel';
}

/**
 * Replaces ONLY Electron's native message box, inside the app's main process, for a test: each box
 * takes the next queued answer ('ok' = the first button, 'cancel' = its cancelId), then `otherwise`.
 * The page cannot reach this: it runs in main through Playwright, and nothing of it ships.
 */
export async function answerMessageBoxes(app: ElectronApplication, answers: Array<'ok' | 'cancel'>, otherwise: 'ok' | 'cancel' = 'cancel'): Promise<void> {
  await app.evaluate(({ dialog }, [queued, fallback]) => {
    const g = globalThis as unknown as { __ctBoxAnswers?: Array<'ok' | 'cancel'>; __ctBoxFallback?: 'ok' | 'cancel'; __ctBoxes?: MessageBoxShown[] };
    g.__ctBoxAnswers = [...(g.__ctBoxAnswers ?? []), ...(queued as Array<'ok' | 'cancel'>)];
    g.__ctBoxFallback = fallback as 'ok' | 'cancel';
    g.__ctBoxes ??= [];
    dialog.showMessageBox = (async (a: unknown, b: unknown) => {
      const opts = ((b ?? a) ?? {}) as { title?: string; message?: string; detail?: string; cancelId?: number };
      const answer = g.__ctBoxAnswers!.length ? g.__ctBoxAnswers!.shift()! : g.__ctBoxFallback!;
      g.__ctBoxes!.push({ title: String(opts.title ?? ''), message: String(opts.message ?? ''), detail: String(opts.detail ?? ''), answer });
      return { response: answer === 'ok' ? 0 : (opts.cancelId ?? 1), checkboxChecked: false };
    }) as typeof dialog.showMessageBox;
  }, [answers, otherwise] as const);
}

/** The message boxes main raised so far (with the answer each got). */
export async function messageBoxesShown(app: ElectronApplication): Promise<MessageBoxShown[]> {
  return app.evaluate(() => (globalThis as unknown as { __ctBoxes?: MessageBoxShown[] }).__ctBoxes ?? []);
}
