import { BrowserWindow, nativeTheme } from 'electron';
import { APP_INDEX_URL } from '../ipc/origin.ts';

/** The hardened preferences of every app window (Electron's security checklist, items 2-4 and 9-13). */
export function secureWebPreferences(preload: string): Electron.WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

export function createMainWindow(preload: string, icon: string, onTrusted: (id: number, trusted: boolean) => void): BrowserWindow {
  const win = new BrowserWindow({
    // Linux shows this in the task switcher; macOS and Windows take the packaged app's icon. A
    // 256 px PNG: X11 gets the icon's every pixel, and the 1,024 px packaging icon cost ~150 ms of launch.
    ...(process.platform === 'linux' ? { icon } : {}),
    width: 1240,
    height: 800,
    minWidth: 940,
    minHeight: 600,
    show: false,
    title: 'Cluster Trust',
    // The theme's own background, so the window does not flash white on a dark desktop.
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#17191d' : '#f5f6f8',
    autoHideMenuBar: false,
    webPreferences: secureWebPreferences(preload),
  });
  const id = win.webContents.id;
  onTrusted(id, true);
  win.on('closed', () => onTrusted(id, false));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_INDEX_URL);
  return win;
}
