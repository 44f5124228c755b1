/**
 * The Electron entry (dist/main.cjs): a few kilobytes that load the main process bundle
 * (dist/main-app.cjs, several megabytes) through V8's code cache, as the CLI does, so a start
 * does not recompile it. Runs on Electron 25 (Node 18.15) and current Electron: vm.Script's
 * cachedData, no newer Node API. Any failure to use the cache falls back to compiling.
 */
import { app } from 'electron';
import { join } from 'node:path';
import { requireWithCodeCache } from '../cli/code-cache.ts';
import { traceMark } from './startup-trace.ts';

declare const __dirname: string;

/** After the first window has loaded and answered its first calls: the functions used by then are compiled and cached too. */
const WRITE_AFTER_LOAD_MS = 1500;

traceMark('loader');
requireWithCodeCache(join(__dirname, 'main-app.cjs'), {
  writeWhen: (write) => {
    app.once('browser-window-created', (_event, win) => {
      win.webContents.once('did-finish-load', () => setTimeout(write, WRITE_AFTER_LOAD_MS));
    });
    // A short session (or a benchmark that stops the app at its first frame) still leaves a cache.
    app.once('will-quit', write);
  },
});
