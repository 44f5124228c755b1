// The real browsers from Debian, driven headless against a test HOME: Chromium through --dump-dom,
// Firefox ESR over WebDriver BiDi. Nothing of this machine's own profiles or databases is touched.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { cleanup, snapshot, tempDir, type CliRun } from '../helpers/cli.ts';
import { freePort } from '../helpers/ports.ts';
import { sha256File } from './helpers.ts';

/** What the test page says: a browser that shows it has loaded it. */
export const MARKER = 'hello from node1 over TLS';

/** This machine's system and Java stores: a test must leave them exactly as it found them. */
export function realStores(): unknown {
  return {
    bundle: sha256File('/etc/ssl/certs/ca-certificates.crt'),
    java: sha256File('/etc/ssl/certs/java/cacerts'),
    local: snapshot('/usr/local/share/ca-certificates'),
    links: readdirSync('/etc/ssl/certs').sort(),
  };
}

/** A CA and node1 (IP 127.0.0.1) made through `cli`, and an HTTPS server on loopback serving node1's certificate. */
export async function nodeSite<W extends { dir: string; cli(...args: string[]): CliRun }>(ws: W): Promise<{ ws: W; url: string; close(): Promise<void> }> {
  const bundle = join(ws.dir, 'bundle');
  for (const args of [['ca', 'init', '--name', 'Browser Test CA'], ['node', 'add', 'node1', '--ip', '127.0.0.1', '--server'], ['issue', 'node1'], ['bundle', 'node1', '--out', bundle]]) {
    const r = ws.cli(...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  const server = createServer({ cert: readFileSync(join(bundle, 'node.crt')), key: readFileSync(join(bundle, 'node.key')) }, (_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><html><body><p>${MARKER}</p></body></html>\n`);
  });
  const port = await freePort();
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  return { ws, url: `https://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(() => ok())) };
}

const PRIVATE_STORES = resolve(import.meta.dirname, '..', 'helpers', 'debian-trust-namespace.sh');

/**
 * A launcher (in `dir`) that runs `executable` in a private mount namespace whose system trust store
 * folders are tmpfs copies: a root process may then change "this machine's" stores for real.
 */
export function privateStoresLauncher(dir: string, executable: string): string {
  const launcher = join(dir, 'in-private-stores.sh');
  writeFileSync(launcher, [
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    `[ -n "\${CT_PRIVATE_STORES:-}" ] || CT_PRIVATE_STORES=1 exec unshare -m --propagation private "$0" "$@"`,
    `source ${JSON.stringify(PRIVATE_STORES)}`,
    `exec ${JSON.stringify(executable)} "$@"`,
    '',
  ].join('\n'));
  chmodSync(launcher, 0o755);
  return launcher;
}

/** HOME and the XDG folders all inside `home`, as a fresh user account would have them. */
export function homeEnv(home: string): NodeJS.ProcessEnv {
  return { HOME: home, XDG_DATA_HOME: join(home, '.local/share'), XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache') };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr });
    });
  });
}

export interface PageLoad {
  loaded: boolean;
  /** What the browser said: the page text, or why it refused. */
  detail: string;
}

/**
 * Headless Chromium loads `url` once with a fresh user-data-dir. Its NSS database is not in the
 * user-data-dir but under HOME (NSS's own choice: ~/.pki/nssdb if it exists, else XDG_DATA_HOME/pki/nssdb).
 * A refused page prints an empty DOM and "Page load failed: net::ERR_CERT_..." on stderr.
 */
export async function chromiumLoad(home: string, url: string, marker: string): Promise<PageLoad> {
  const profile = tempDir('ct-chromium-profile-');
  try {
    const r = await run('chromium', [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--dump-dom', url,
    ], homeEnv(home));
    if (r.stdout.includes(marker)) return { loaded: true, detail: r.stdout.trim() };
    const failed = r.stderr.match(/Page load failed: (\S+)/)?.[1];
    return { loaded: false, detail: failed ?? `exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  } finally {
    cleanup(profile);
  }
}

/** Creates a Firefox ESR profile the way `firefox-esr -CreateProfile` does, and returns its folder. */
export async function createFirefoxProfile(home: string, name: string): Promise<string> {
  const r = await run('firefox-esr', ['--headless', '--createprofile', name], homeEnv(home));
  if (r.code !== 0) throw new Error(`firefox-esr --createprofile failed: ${r.stderr}`);
  // Firefox 147+ keeps profiles under XDG_CONFIG_HOME when ~/.mozilla does not exist.
  for (const root of [join(home, '.config/mozilla/firefox'), join(home, '.mozilla/firefox')]) {
    let ini: string;
    try {
      ini = readFileSync(join(root, 'profiles.ini'), 'utf8');
    } catch {
      continue;
    }
    for (const section of ini.split(/^\[/m)) {
      if (!new RegExp(`^Name=${name}$`, 'm').test(section)) continue;
      const path = section.match(/^Path=(.*)$/m)?.[1];
      if (path) return isAbsolute(path) ? path : join(root, path);
    }
  }
  throw new Error(`firefox-esr made no profile named ${name}: ${r.stderr}`);
}

/** The few members of the `ws` client this driver uses. */
interface Socket {
  on(event: 'open', fn: () => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  on(event: 'message', fn: (data: Buffer) => void): void;
  send(data: string): void;
  close(): void;
}

// Playwright-core (already a devDependency for the e2e tests) exports its bundled `ws` client;
// Node 20 has no WebSocket of its own.
const { ws: WebSocketClient } = createRequire(import.meta.url)('playwright-core/lib/utilsBundle') as { ws: new (url: string) => Socket };

/** A minimal WebDriver BiDi session: one command at a time, answers matched by id. */
async function bidiSession(address: string): Promise<{ send(method: string, params: object): Promise<Record<string, unknown>>; close(): void }> {
  const sock = new WebSocketClient(`${address}/session`);
  await new Promise<void>((ok, bad) => {
    sock.on('open', ok);
    sock.on('error', bad);
  });
  const pending = new Map<number, (msg: Record<string, unknown>) => void>();
  sock.on('message', (data) => {
    const msg = JSON.parse(String(data)) as Record<string, unknown>;
    const answer = typeof msg.id === 'number' ? pending.get(msg.id) : undefined;
    if (answer) {
      pending.delete(msg.id as number);
      answer(msg);
    }
  });
  let next = 0;
  return {
    send: (method, params) => new Promise((ok) => {
      const id = ++next;
      pending.set(id, ok);
      sock.send(JSON.stringify({ id, method, params }));
    }),
    close: () => sock.close(),
  };
}

/**
 * Headless Firefox ESR on `profile`, driven over WebDriver BiDi: navigate to `url` (certificate
 * errors are not accepted), then read where the tab ended up and its text. A refused page ends
 * on about:certerror and the navigation reports NSS's error (SEC_ERROR_UNKNOWN_ISSUER).
 */
export async function firefoxLoad(home: string, profile: string, url: string, marker: string): Promise<PageLoad> {
  const child = spawn('firefox-esr', ['--headless', '--no-remote', '--profile', profile, '--remote-debugging-port', '0', 'about:blank'], {
    env: { ...process.env, ...homeEnv(home) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  try {
    const address = await new Promise<string>((ok, bad) => {
      const timer = setTimeout(() => bad(new Error(`firefox-esr did not start WebDriver BiDi: ${stderr}`)), 90_000);
      child.stderr.on('data', (d) => {
        stderr += d;
        const m = stderr.match(/WebDriver BiDi listening on (ws:\/\/\S+)/);
        if (m) {
          clearTimeout(timer);
          ok(m[1]!);
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        bad(new Error(`firefox-esr exited ${code}: ${stderr}`));
      });
    });
    const bidi = await bidiSession(address);
    try {
      const session = await bidi.send('session.new', { capabilities: { alwaysMatch: { acceptInsecureCerts: false } } });
      if (session.type !== 'success') throw new Error(`session.new: ${JSON.stringify(session)}`);
      const tree = (await bidi.send('browsingContext.getTree', {})).result as { contexts: Array<{ context: string }> };
      const context = tree.contexts[0]!.context;
      const nav = await bidi.send('browsingContext.navigate', { context, url, wait: 'complete' });
      const evaluated = await bidi.send('script.evaluate', { expression: 'document.documentURI + "\\n" + document.body.textContent', target: { context }, awaitPromise: false });
      const text = ((evaluated.result as { result?: { value?: string } } | undefined)?.result?.value ?? '').trim();
      await bidi.send('browser.close', {});
      if (nav.type === 'success' && text.startsWith(url) && text.includes(marker)) return { loaded: true, detail: text };
      return { loaded: false, detail: `${String(nav.message ?? nav.type)} (${text.split('\n')[0]})` };
    } finally {
      bidi.close();
    }
  } finally {
    // browser.close lets Firefox release its profile lock; kill only one that hangs.
    if (child.exitCode === null) {
      const exited = new Promise((ok) => child.on('exit', ok));
      await Promise.race([exited, new Promise((ok) => setTimeout(ok, 15_000))]);
      child.kill('SIGKILL');
    }
  }
}
