import type { CoreContext } from '../core/context.ts';
import type { EventName, Events } from './contract.ts';

export interface FileFilter {
  name: string;
  extensions: string[];
}

/**
 * What handlers need from the desktop around them. main.ts implements it with Electron (native
 * dialogs, clipboard, shell); the IPC boundary tests implement it in plain Node. Handlers never
 * import Electron, so the whole registry runs without it.
 */
export interface Host {
  /** The core context; may throw a UserError (e.g. the vault folder is unusable). */
  context(): CoreContext;
  /** Drops the cached context so the next context() reads the vault afresh (after a restore). */
  resetContext?(): void;
  versions: { app: string; electron: string; platform: string };
  /** A native save dialog; `defaultName` is a file name only (the host picks the folder). Null = cancelled. */
  chooseSavePath(opts: { title: string; defaultName: string; filters?: FileFilter[] }): Promise<string | null>;
  /** A native dialog for one folder (it may be made there). Null = cancelled. */
  chooseFolder(opts: { title: string }): Promise<string | null>;
  /** A native open dialog for one file. Null = cancelled. */
  chooseOpenPath(opts: { title: string; filters?: FileFilter[] }): Promise<string | null>;
  /**
   * A native message box raised by main (never by the page): true only when the user pressed
   * `okLabel`. Guards what a compromised renderer must not do alone (new host keys, new push settings).
   */
  confirm(opts: { title: string; message: string; detail: string; okLabel: string }): Promise<boolean>;
  writeClipboard(text: string): void;
  /** Only ever called with a URL from app/links.ts. */
  openExternal(url: string): Promise<void>;
  /** The app's own settings file (app-data folder), when the host keeps one. */
  settingsFile?: () => string;
  /** Where the push settings the user confirmed are kept (app-data folder); absent: memory only. */
  pushApprovalsFile?: () => string;
}

/** Per-call facilities: one-way events back to the window that asked. */
export interface CallContext {
  emit<E extends EventName>(name: E, payload: Events[E]): void;
}
