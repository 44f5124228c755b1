import type { BrowserWindow } from 'electron';

/**
 * For the cold-start benchmark (CLUSTER_TRUST_TRACE_STARTUP=1): prints one line when the renderer
 * has mounted the app and painted a frame after it. The benchmark times launch -> that line.
 */
export function traceFirstFrame(win: BrowserWindow): void {
  win.webContents.once('did-finish-load', () => {
    const waitForPaint = `new Promise((done) => {
      const check = () => document.querySelector('[data-app-ready]')
        ? requestAnimationFrame(() => setTimeout(() => done(true), 0))
        : setTimeout(check, 2);
      check();
    })`;
    win.webContents
      .executeJavaScript(waitForPaint)
      .then(() => process.stdout.write(`cluster-trust: first-frame ${Math.round(performance.now())}\n`))
      .catch((err: Error) => process.stdout.write(`cluster-trust: first-frame failed ${err.message}\n`));
  });
}
