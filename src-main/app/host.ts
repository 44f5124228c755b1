import { app, clipboard, dialog, shell, type BrowserWindow } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, type CoreContext } from '../core/context.ts';
import { readSettings } from '../lifecycle/expiry-watch.ts';
import type { Host } from '../ipc/host.ts';

function defaultFolder(): string {
  for (const name of ['documents', 'home'] as const) {
    try {
      const dir = app.getPath(name);
      if (existsSync(dir)) return dir;
    } catch {
      // not defined on this platform
    }
  }
  return process.cwd();
}

/**
 * The Electron side of the handlers' Host: native dialogs parented to the main window, the
 * clipboard, and the shell (which only ever receives a URL from links.ts).
 */
export function electronHost(window: () => BrowserWindow | null): Host {
  let ctx: CoreContext | null = null;
  const settingsFile = () => join(app.getPath('userData'), 'settings.json');
  return {
    context() {
      // Created on first use, so a bad vault path shows up as an error in the window, not a crash.
      // The expiry threshold is read from the settings file at each use, so a change applies at once.
      ctx ??= { ...createContext(), warnDays: () => readSettings(settingsFile()).expiryWarnDays };
      return ctx;
    },
    resetContext() {
      ctx = null;
    },
    versions: { app: app.getVersion(), electron: process.versions.electron ?? 'unknown', platform: process.platform },
    async chooseSavePath({ title, defaultName, filters }) {
      const parent = window();
      const options = { title, defaultPath: join(defaultFolder(), defaultName), ...(filters && filters.length ? { filters } : {}), properties: ['createDirectory'] as Array<'createDirectory'> };
      const result = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    async chooseFolder({ title }) {
      const parent = window();
      const options = { title, defaultPath: defaultFolder(), properties: ['openDirectory', 'createDirectory'] as Array<'openDirectory' | 'createDirectory'> };
      const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
      return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0]!;
    },
    async chooseOpenPath({ title, filters }) {
      const parent = window();
      const options = { title, defaultPath: defaultFolder(), ...(filters && filters.length ? { filters } : {}), properties: ['openFile'] as Array<'openFile'> };
      const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
      return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0]!;
    },
    async confirm({ title, message, detail, okLabel }) {
      const parent = window();
      // Cancel is the default and the Escape answer: only a deliberate click on okLabel goes ahead.
      const options = { type: 'warning' as const, title, message, detail, buttons: [okLabel, 'Cancel'], defaultId: 1, cancelId: 1, noLink: true };
      const result = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options);
      return result.response === 0;
    },
    writeClipboard(text) {
      clipboard.writeText(text);
    },
    async openExternal(url) {
      await shell.openExternal(url);
    },
    settingsFile,
    pushApprovalsFile: () => join(app.getPath('userData'), 'push-approvals.json'),
  };
}
