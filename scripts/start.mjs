#!/usr/bin/env node
// `npm start` (after `npm run build`): launches the desktop app. Electron comes from, in order:
//  1. the `electron` npm package's binary, when it was downloaded;
//  2. that package's own installer (skipped when ELECTRON_SKIP_BINARY_DOWNLOAD is set);
//  3. the stock Electron 25 runtime the tests use (scripts/fetch-electron-runtime.sh), in a private
//     copy with this app installed as its resources/app (that runtime has no default app to take a path).
// Root gets --no-sandbox (Chromium refuses to run its sandbox as root); no display gets xvfb-run.
// Extra arguments go to the app: `npm start -- --some-switch`.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const say = (line) => process.stderr.write(`start: ${line}\n`);

for (const f of ['dist/main.cjs', 'dist/preload.cjs', 'dist/renderer/index.html']) {
  if (!existsSync(join(root, f))) {
    say(`${f} is missing: run \`npm run build\` first (npm start does)`);
    process.exit(1);
  }
}

function packagedElectron() {
  try {
    const path = require('electron'); // the path of the downloaded binary; throws when there is none
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function installElectron() {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return false;
  const installer = join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) return false;
  say('downloading the Electron binary (node_modules/electron/install.js)…');
  const r = spawnSync(process.execPath, [installer], { cwd: dirname(installer), stdio: 'inherit', timeout: 300_000 });
  return r.status === 0;
}

/** A private copy (hard links) of the test runtime with this checkout as its app; removed on exit. */
function runtimeWithApp() {
  const r = spawnSync('bash', [join(root, 'scripts', 'fetch-electron-runtime.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const dir = r.stdout.trim().split('\n').pop();
  if (r.status !== 0 || !dir || !existsSync(join(dir, 'electron'))) return null;
  const base = mkdtempSync(join(tmpdir(), 'cluster-trust-start-'));
  const copy = join(base, 'electron');
  if (spawnSync('cp', ['-al', dir, copy]).status !== 0) cpSync(dir, copy, { recursive: true });
  mkdirSync(join(copy, 'resources'), { recursive: true });
  symlinkSync(root, join(copy, 'resources', 'app'));
  return { executable: join(copy, 'electron'), cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

let executable = packagedElectron();
let cleanup = () => {};
let args = [root];
if (!executable && installElectron()) executable = packagedElectron();
if (!executable) {
  say('no Electron binary in node_modules/electron; using the Electron 25 runtime the tests use');
  const staged = runtimeWithApp();
  if (!staged) {
    say('could not get an Electron runtime: install one with `npm install electron` (needs network), or run `npm run test:setup`');
    process.exit(1);
  }
  executable = staged.executable;
  cleanup = staged.cleanup;
  args = []; // the runtime finds the app in resources/app
}

const userArgs = process.argv.slice(2).filter((a) => a !== '--');
if (process.getuid?.() === 0 && !userArgs.includes('--no-sandbox')) args.push('--no-sandbox');
args.push(...userArgs);

let command = executable;
const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
if (headless) {
  say('no display: running under xvfb-run');
  args = ['-a', '-s', '-screen 0 1280x860x24', executable, ...args];
  command = 'xvfb-run';
}

const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined } });
const forward = (signal) => () => child.kill(signal);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward(signal));
child.on('error', (err) => {
  say(`cannot start ${command}: ${err.message}`);
  cleanup();
  process.exit(1);
});
child.on('exit', (code, signal) => {
  cleanup();
  process.exit(code ?? (signal ? 1 : 0));
});
