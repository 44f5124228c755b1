import type { BrowserWindow } from 'electron';

/**
 * For the cold-start benchmark (CLUSTER_TRUST_TRACE_STARTUP=1): prints one line when the renderer
 * has mounted the app and painted a frame after it. The benchmark times launch -> that line; tests
 * also read whether the page had the preload's bridge. Marks on the way (`cluster-trust: mark NAME
 * MS`, milliseconds since the process started) show where the time goes.
 */
const tracing = process.env.CLUSTER_TRUST_TRACE_STARTUP === '1';

export function traceMark(name: string, at = performance.now()): void {
  if (tracing) process.stdout.write(`cluster-trust: mark ${name} ${Math.round(at)}\n`);
}

export function traceFirstFrame(win: BrowserWindow): void {
  win.webContents.once('did-finish-load', () => {
    traceMark('did-finish-load');
    // Wall-clock times from the page (mounted, then painted), turned into this process's clock.
    const waitForPaint = `new Promise((done) => {
      const check = () => {
        if (!document.querySelector('[data-app-ready]')) return setTimeout(check, 2);
        const mounted = Date.now();
        requestAnimationFrame(() => setTimeout(() => done({ bridge: typeof window.api === 'object', mounted, painted: Date.now() }), 0));
      };
      check();
    })`;
    win.webContents
      .executeJavaScript(waitForPaint)
      .then((r: { bridge: boolean; mounted: number; painted: number }) => {
        const at = (wall: number) => Math.round(performance.now() - (Date.now() - wall));
        traceMark('page-mounted', at(r.mounted));
        traceMark('page-painted', at(r.painted));
        // bridge=no means the page came up without the preload's API (it then shows only an error).
        process.stdout.write(`cluster-trust: first-frame ${Math.round(performance.now())} bridge=${r.bridge ? 'yes' : 'no'}\n`);
      })
      .catch((err: Error) => process.stdout.write(`cluster-trust: first-frame failed ${err.message}\n`));
  });
}

/** Marks the first call of each IPC channel (start and end in main) while tracing. */
export function traceFirstCalls<T extends object>(handlers: T): T {
  if (!tracing) return handlers;
  const seen = new Set<string>();
  const out = {} as Record<string, unknown>;
  for (const [channel, handler] of Object.entries(handlers) as Array<[string, (...args: unknown[]) => unknown]>) {
    out[channel] = async (...args: unknown[]) => {
      const first = !seen.has(channel);
      seen.add(channel);
      if (first) traceMark(`${channel}:start`);
      try {
        return await handler(...args);
      } finally {
        if (first) traceMark(`${channel}:end`);
      }
    };
  }
  return out as T;
}
