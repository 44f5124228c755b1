/**
 * The Electron main process: one hardened window on app://cluster-trust, the typed IPC registry,
 * the menu, native dialogs, and the OS light/dark theme. Runs on Electron 25 (the test runtime) and
 * on current Electron.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, Notification, session, shell } from 'electron';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerAppScheme, serveRenderer } from './app/protocol.ts';
import { hardenSession, hardenWebContents } from './app/security.ts';
import { createMainWindow } from './app/window.ts';
import { buildMenu } from './app/menu.ts';
import { electronHost } from './app/host.ts';
import { startExpiryWatch } from './lifecycle/expiry-watch.ts';
import { linkUrl } from './ipc/links.ts';
import { traceFirstCalls, traceFirstFrame, traceMark } from './app/startup-trace.ts';
import { createHandlers } from './ipc/handlers/index.ts';
import { emitTo, registerIpc } from './ipc/registry.ts';
import type { LinkId } from './ipc/contract.ts';

traceMark('main-loaded');
const distDir = dirname(fileURLToPath(import.meta.url));

// A separate Chromium profile (and single-instance lock) per test run or per user choice.
if (process.env.CLUSTER_TRUST_USER_DATA) app.setPath('userData', resolve(process.env.CLUSTER_TRUST_USER_DATA));

registerAppScheme();

/** After the page has loaded: long enough for its first screen, even with 10,000 nodes. */
const EXPIRY_CHECK_DELAY_MS = 3000;

let mainWindow: BrowserWindow | null = null;
const trusted = new Set<number>();

function openLink(id: LinkId): void {
  void shell.openExternal(linkUrl(id));
}

/** The versions a bug report needs: the app, its runtime, and the crypto library under Node's crypto. */
function aboutDetail(): string {
  const v = process.versions;
  return [
    'The private PKI of your cluster.',
    '',
    `Version ${app.getVersion()}`,
    `Electron ${v.electron}`,
    `Chromium ${v.chrome}`,
    `Node ${v.node} (V8 ${v.v8})`,
    `OpenSSL ${v.openssl} (Node's crypto)`,
    `${process.platform} ${process.arch}`,
  ].join('\n');
}

function showWindow(): void {
  if (!mainWindow || mainWindow.isDestroyed()) {
    mainWindow = createMainWindow(join(distDir, 'preload.cjs'), join(distDir, 'renderer', 'window-icon.png'), (id, on) => (on ? trusted.add(id) : trusted.delete(id)));
    mainWindow.on('closed', () => (mainWindow = null));
    if (process.env.CLUSTER_TRUST_TRACE_STARTUP === '1') traceFirstFrame(mainWindow);
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

if (!app.requestSingleInstanceLock()) {
  // Another Cluster Trust owns this profile: it raises its window (second-instance) and we leave.
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) showWindow();
  });

  void app.whenReady().then(() => {
    traceMark('ready');
    nativeTheme.themeSource = 'system';
    hardenSession(session.defaultSession);
    serveRenderer(join(distDir, 'renderer'));
    const host = electronHost(() => mainWindow);
    registerIpc(ipcMain, traceFirstCalls(createHandlers(host)), trusted);
    Menu.setApplicationMenu(
      buildMenu({
        window: () => mainWindow,
        command: (command) => mainWindow && emitTo(mainWindow.webContents, 'menuCommand', { command }),
        openLink,
        about: () =>
          void dialog.showMessageBox({
            type: 'info',
            title: 'About Cluster Trust',
            message: `Cluster Trust ${app.getVersion()}`,
            detail: aboutDetail(),
          }),
      }),
    );
    showWindow();
    traceMark('window');
    // The first expiry check reads and sums up the whole vault: after the first screen is up, not
    // in its way. Guarded: a desktop without a notification service simply gets no notices.
    const watch = () => startExpiryWatch(() => host.context(), host.settingsFile!, (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    });
    const page = mainWindow?.webContents;
    // A page that already finished loading fires no more did-finish-load: then the delay starts now.
    if (page?.isLoading()) page.once('did-finish-load', () => setTimeout(watch, EXPIRY_CHECK_DELAY_MS));
    else setTimeout(watch, EXPIRY_CHECK_DELAY_MS);
  });
}
