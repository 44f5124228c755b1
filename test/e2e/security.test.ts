/**
 * Electron's security checklist, proven in the real app on the real Electron runtime. Where a claim
 * could hold by accident (a default), the test also runs a control that shows the probe would see
 * the difference.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { apiKeys } from '../../src-main/ipc/contract.ts';
import { APP_INDEX_URL, CONTENT_SECURITY_POLICY } from '../../src-main/ipc/origin.ts';
import { GUI_SKIP, launchApp, launchEnv, stagedRuntime, type Launched } from './harness.ts';

/** A loopback web server that counts what reaches it: nothing should. */
async function trapServer(): Promise<{ url: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('<h1>remote</h1>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, hits, server };
}

/**
 * Resolves once the main process has printed a line matching `pattern` (it logs every refusal).
 * A line that never comes fails the test after a minute rather than hanging it.
 */
function mainLogLine(gui: Launched, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const giveUp = setTimeout(() => reject(new Error(`the main process never logged ${pattern}`)), 60_000);
    const check = () => {
      const line = gui.mainLog.find((l) => pattern.test(l));
      if (line) {
        clearTimeout(giveUp);
        gui.app.process().stdout?.off('data', check);
        gui.app.process().stderr?.off('data', check);
        resolve(line);
      }
    };
    gui.app.process().stdout?.on('data', check);
    gui.app.process().stderr?.on('data', check);
    setImmediate(check);
  });
}

describe('security in the real Electron', { skip: GUI_SKIP }, () => {
  let gui: Launched;
  let trap: Awaited<ReturnType<typeof trapServer>>;
  before(async () => {
    trap = await trapServer();
    gui = await launchApp();
  });
  after(async () => {
    await gui?.close();
    trap?.server.close();
  });

  test('the renderer is served from app://, not file://', async () => {
    assert.equal(gui.page.url(), APP_INDEX_URL);
  });

  test('require, process, module, Buffer and ipcRenderer are not reachable from the page', async () => {
    const seen = await gui.page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      return {
        require: typeof w.require,
        process: typeof w.process,
        module: typeof w.module,
        Buffer: typeof w.Buffer,
        ipcRenderer: typeof w.ipcRenderer,
        electron: typeof w.electron,
        // Nothing hangs off the API either.
        viaApi: typeof (w.api as Record<string, unknown>).ipcRenderer,
        protoOfApi: Object.getPrototypeOf(w.api) === Object.prototype || Object.getPrototypeOf(w.api) === null,
      };
    });
    assert.deepEqual(seen, { require: 'undefined', process: 'undefined', module: 'undefined', Buffer: 'undefined', ipcRenderer: 'undefined', electron: 'undefined', viaApi: 'undefined', protoOfApi: true });
  });

  test('window.api is exactly the contract: one function per channel and event, frozen', async () => {
    const shape = await gui.page.evaluate(() => ({
      keys: Object.getOwnPropertyNames(window.api),
      types: Object.values(window.api).map((v) => typeof v),
      frozen: Object.isFrozen(window.api),
    }));
    assert.deepEqual(shape.keys.sort(), apiKeys().sort());
    assert.ok(shape.types.every((t) => t === 'function'));
    assert.equal(shape.frozen, true);
  });

  test('an event listener receives the payload only, never the IPC event (which would carry ipcRenderer)', async () => {
    await gui.page.evaluate(() => {
      window.api.onMenuCommand((...args: unknown[]) => {
        (window as unknown as { __menuArgs: unknown[] }).__menuArgs = args;
      });
    });
    await gui.app.evaluate(({ BrowserWindow }) => {
      BrowserWindow.getAllWindows()[0]!.webContents.send('cluster-trust:menuCommand', { command: 'show-ca' });
    });
    const args = await gui.page.waitForFunction(() => (window as unknown as { __menuArgs?: unknown[] }).__menuArgs).then((h) => h.jsonValue());
    assert.deepEqual(args, [{ command: 'show-ca' }]);
  });

  test('the window runs with contextIsolation, sandbox, no Node integration, no webview', async () => {
    const prefs = await gui.app.evaluate(({ BrowserWindow }) => {
      // getLastWebPreferences exists on the Electron 25 test runtime (newer typings dropped it).
      const wc = BrowserWindow.getAllWindows()[0]!.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> };
      const p = wc.getLastWebPreferences();
      return { contextIsolation: p.contextIsolation, sandbox: p.sandbox, nodeIntegration: p.nodeIntegration, nodeIntegrationInSubFrames: p.nodeIntegrationInSubFrames, webviewTag: p.webviewTag, webSecurity: p.webSecurity };
    });
    assert.deepEqual(prefs, { contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInSubFrames: false, webviewTag: false, webSecurity: true });
  });

  test('sandbox: the window\'s renderer process is a sandboxed one, unlike an unsandboxed control window', async () => {
    // Electron starts sandboxed renderers with --enable-sandbox (their preload gets no Node); the
    // control shows the probe tells the two apart even though --no-sandbox turns off the OS layer.
    const rendererArgs = async (control: boolean) => {
      const pid = await gui.app.evaluate(async ({ BrowserWindow, app }, control) => {
        if (!control) return BrowserWindow.getAllWindows()[0]!.webContents.getOSProcessId();
        const w = new BrowserWindow({ show: false, webPreferences: { preload: `${app.getAppPath()}/dist/preload.cjs`, sandbox: false, contextIsolation: true } });
        await w.loadURL('data:text/html,<p>control</p>');
        (globalThis as unknown as { __control: Electron.BrowserWindow }).__control = w;
        return w.webContents.getOSProcessId();
      }, control);
      // Chromium rewrites its argv into one space-separated string (setproctitle).
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    };
    assert.ok((await rendererArgs(false)).includes('--enable-sandbox'), 'the app window is sandboxed');
    assert.ok(!(await rendererArgs(true)).includes('--enable-sandbox'), 'control: an unsandboxed window is not');
    await gui.app.evaluate(() => (globalThis as unknown as { __control: Electron.BrowserWindow }).__control.destroy());
  });

  test('navigation to another origin is refused', async () => {
    const before = gui.page.url();
    const refused = mainLogLine(gui, /refused to navigate to http:\/\/127\.0\.0\.1/);
    await gui.page.evaluate((url) => {
      location.href = url;
    }, trap.url);
    await refused;
    assert.equal(gui.page.url(), before);
    assert.equal(await gui.page.evaluate(() => document.querySelector('[data-app-ready]') !== null), true, 'the app is still there');
    assert.deepEqual(trap.hits, []);
  });

  test('window.open and target=_blank links open nothing (no window, no browser)', async () => {
    await gui.app.evaluate(({ shell }) => {
      const g = globalThis as unknown as { __opened: string[] };
      g.__opened = [];
      shell.openExternal = (async (url: string) => {
        g.__opened.push(url);
      }) as typeof shell.openExternal;
    });
    const refused = mainLogLine(gui, /refused to open a window for http:\/\/127\.0\.0\.1/);
    const opened = await gui.page.evaluate((url) => window.open(url) === null, trap.url);
    assert.equal(opened, true, 'window.open returned no window');
    await refused;
    const refusedLink = mainLogLine(gui, /refused to open a window for https:\/\/example\.invalid/);
    await gui.page.evaluate(() => {
      const a = document.createElement('a');
      a.href = 'https://example.invalid/phish';
      a.target = '_blank';
      document.body.append(a);
      a.click();
      a.remove();
    });
    await refusedLink;
    assert.equal(gui.app.windows().length, 1);
    assert.deepEqual(await gui.app.evaluate(() => (globalThis as unknown as { __opened: string[] }).__opened), []);
    assert.deepEqual(trap.hits, []);
  });

  test('shell.openExternal only ever gets the fixed https links, named by id', async () => {
    const ok = await gui.page.evaluate(() => window.api.openLink({ id: 'rfc5280-san' }));
    assert.deepEqual(ok, { ok: true, value: null });
    const bad = await gui.page.evaluate(() => window.api.openLink({ id: 'https://example.invalid/' } as never));
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.error.code, 'invalid-input');
    const viaUrl = await gui.page.evaluate(() => window.api.openLink({ id: 'rfc5280-san', url: 'https://example.invalid/' } as never));
    assert.equal(!viaUrl.ok && viaUrl.error.code, 'invalid-input');
    assert.deepEqual(await gui.app.evaluate(() => (globalThis as unknown as { __opened: string[] }).__opened), ['https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.6']);
  });

  test('no remote content: a request leaving the machine is cancelled for any window of the app', async () => {
    const outcome = await gui.app.evaluate(async ({ BrowserWindow }, url) => {
      const w = new BrowserWindow({ show: false });
      try {
        await w.loadURL(url);
        return 'loaded';
      } catch (err) {
        return (err as Error).message;
      } finally {
        w.destroy();
      }
    }, trap.url);
    assert.match(outcome, /ERR_BLOCKED_BY_CLIENT/);
    assert.deepEqual(trap.hits, []);
  });

  test('the CSP is enforced: no eval, no inline script, no inline style, no remote image', async () => {
    const page: Page = gui.page;
    const result = await page.evaluate(async (remote) => {
      // Run from a timer, outside the DevTools evaluation (which Chromium lets bypass the CSP).
      const evalOutcome = await new Promise<string>((resolve) => {
        setTimeout(() => {
          try {
            new Function('return 1')();
            resolve('ran');
          } catch (err) {
            resolve((err as Error).name);
          }
        }, 0);
      });
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.head.append(s);
      const el = document.createElement('div');
      el.setAttribute('style', 'color: rgb(1, 2, 3)');
      document.body.append(el);
      const styled = getComputedStyle(el).color === 'rgb(1, 2, 3)';
      el.remove();
      const img = await new Promise<string>((resolve) => {
        const i = new Image();
        i.onload = () => resolve('loaded');
        i.onerror = () => resolve('blocked');
        i.src = `${remote}x.png`;
      });
      return { evalOutcome, inline: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true, styled, img };
    }, trap.url);
    assert.deepEqual(result, { evalOutcome: 'EvalError', inline: false, styled: false, img: 'blocked' });
    assert.deepEqual(trap.hits, []);
  });

  // What app:// gives for the page and for paths outside the renderer build: the status, or that the
  // request failed (the file protocol refuses with a network error, protocol.handle with a 404).
  const probeAppScheme = (app: Launched['app']) =>
    app.evaluate(async ({ net }) => {
      const get = async (u: string) => {
        try {
          const r = await net.fetch(u);
          return { status: r.status, csp: r.headers.get('content-security-policy'), nosniff: r.headers.get('x-content-type-options'), bytes: (await r.arrayBuffer()).byteLength };
        } catch {
          return { status: 0, csp: null, nosniff: null, bytes: 0 };
        }
      };
      return {
        index: await get('app://cluster-trust/index.html'),
        refused: [await get('app://cluster-trust/%2e%2e/package.json'), await get('app://cluster-trust/..%2f..%2fpackage.json'), await get('app://elsewhere/index.html'), await get('app://cluster-trust/no-such-file.js')],
      };
    });
  const assertServedRight = (got: Awaited<ReturnType<typeof probeAppScheme>>, refusedStatus: number) => {
    assert.equal(got.index.status, 200);
    assert.equal(got.index.csp, CONTENT_SECURITY_POLICY);
    assert.equal(got.index.nosniff, 'nosniff');
    assert.ok(got.index.bytes > 0);
    for (const r of got.refused) assert.equal(r.status, refusedStatus);
    for (const r of got.refused) assert.ok(r.bytes < 100, `a refused path got ${r.bytes} bytes`);
  };

  test('app:// sends the CSP header and serves nothing outside the renderer build', async () => {
    // Electron 25 and current releases have the file protocol: a refused path is a network error.
    assertServedRight(await probeAppScheme(gui.app), 0);
  });

  test('served through protocol.handle instead (an Electron without registerFileProtocol), the page comes up the same', async () => {
    const other = await launchApp({ env: { CLUSTER_TRUST_SERVE_WITH_HANDLE: '1' } });
    try {
      assert.equal(await other.page.evaluate(() => typeof (window as unknown as { api?: unknown }).api), 'object');
      assertServedRight(await probeAppScheme(other.app), 404);
    } finally {
      await other.close();
    }
  });

  test('a message from an untrusted sender is dropped (a second window with our preload, on data: and on our own page)', async () => {
    const inventory = join(gui.home, 'inventory.json');
    for (const url of ['data:text/html,<p>not the app</p>', APP_INDEX_URL]) {
      const [page] = await Promise.all([
        gui.app.waitForEvent('window'),
        gui.app.evaluate(({ BrowserWindow, app }, u) => {
          const w = new BrowserWindow({ show: false, webPreferences: { preload: `${app.getAppPath()}/dist/preload.cjs`, sandbox: true, contextIsolation: true } });
          void w.loadURL(u);
        }, url),
      ]);
      await page.waitForFunction(() => typeof window.api?.createCa === 'function');
      const answer = await page.evaluate(() => window.api.createCa({ name: 'Intruder CA', keyType: 'ecdsa-p256', days: 30 }));
      assert.deepEqual(answer, { ok: false, error: { code: 'refused', message: 'this window may not use Cluster Trust functions' } });
      assert.equal(existsSync(inventory), false, 'the handler never ran: no vault was written');
      await mainLogLine(gui, /dropped createCa: webContents \d+ is not one of the app's windows/);
      await page.close();
    }
    // Our own window is still trusted.
    const mine = await gui.page.evaluate(() => window.api.getCa());
    assert.deepEqual(mine, { ok: true, value: null });
  });

  test('a malformed request from the page is rejected with a typed error, before any handler runs', async () => {
    const r = await gui.page.evaluate(() => window.api.createCa({ name: 42, keyType: 'ecdsa-p256', days: 30 } as never));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'invalid-input');
    assert.equal(!r.ok && r.error.field, 'name');
    assert.equal(existsSync(join(gui.home, 'inventory.json')), false);
  });

  test('a second launch on the same profile hands over to the running app and exits (single-instance lock)', async () => {
    const { executable } = stagedRuntime();
    const second = spawn(executable, ['--no-sandbox'], { env: launchEnv(gui.home, gui.userData), stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => {
      const guard = setTimeout(() => {
        second.kill('SIGKILL');
        resolve(-1);
      }, 120_000);
      second.on('exit', (c) => {
        clearTimeout(guard);
        resolve(c);
      });
    });
    assert.equal(code, 0, 'the second instance quit on its own');
    assert.equal(gui.app.windows().length, 1, 'and opened no window');
  });

  test('the built preload requires nothing but electron (a sandboxed preload can load nothing else)', () => {
    const preload = readFileSync(join(stagedRuntime().dir, 'resources', 'app', 'dist', 'preload.cjs'), 'utf8');
    const required = [...preload.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(required)], ['electron']);
    assert.doesNotMatch(preload, /\b__filename\b|\b__dirname\b/);
  });
});
