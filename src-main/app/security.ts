import type { Session, WebContents } from 'electron';
import { isAppUrl } from '../ipc/origin.ts';

/** Schemes the app's windows may load anything from. Everything else (http, https, ws, file...) is cancelled. */
const ALLOWED_SCHEMES = new Set(['app:', 'data:', 'blob:', 'devtools:', 'chrome-devtools:', 'about:']);

export function isAllowedRequest(url: string): boolean {
  try {
    return ALLOWED_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * Session-wide rules: no remote content at all (a request leaving the machine is cancelled before
 * it starts), no permissions (camera, notifications, clipboard reads...), no downloads.
 */
export function hardenSession(session: Session, log: (line: string) => void = console.warn): void {
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequest(details.url);
    if (!allowed) log(`cluster-trust: blocked a request to ${details.url}`);
    callback({ cancel: !allowed });
  });
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.on('will-download', (event) => event.preventDefault());
}

/**
 * Per-window rules, applied to every webContents the app ever creates: no navigation away from our
 * own page, no new windows, no <webview>.
 */
export function hardenWebContents(contents: WebContents, log: (line: string) => void = console.warn): void {
  contents.setWindowOpenHandler(({ url }) => {
    log(`cluster-trust: refused to open a window for ${url}`);
    return { action: 'deny' };
  });
  const stayHome = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) {
      event.preventDefault();
      log(`cluster-trust: refused to navigate to ${url}`);
    }
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
