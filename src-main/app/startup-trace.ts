import type { BrowserWindow } from 'electron';

/**
 * For the cold-start benchmark (CLUSTER_TRUST_TRACE_STARTUP=1): prints one line when the renderer
 * has mounted the app and painted a frame after it. The benchmark times launch -> that line; tests
 * also read whether the page had the preload's bridge.
 */
export function traceFirstFrame(win: BrowserWindow): void {
  win.webContents.once('did-finish-load', () => {
    const waitForPaint = `new Promise((done) => {
      const check = () => document.querySelector('[data-app-ready]')
        ? requestAnimationFrame(() => setTimeout(() => done(typeof window.api === 'object'), 0))
        : setTimeout(check, 2);
      check();
    })`;
    win.webContents
      .executeJavaScript(waitForPaint)
      // bridge=no means the page came up without the preload's API (it then shows only an error).
      .then((bridge: boolean) => process.stdout.write(`cluster-trust: first-frame ${Math.round(performance.now())} bridge=${bridge ? 'yes' : 'no'}\n`))
      .catch((err: Error) => process.stdout.write(`cluster-trust: first-frame failed ${err.message}\n`));
  });
}
