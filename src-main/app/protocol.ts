import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { APP_SCHEME } from '../ipc/origin.ts';
import { assetHeaders, resolveAppAsset } from './assets.ts';

/** Must run before `app.ready`: makes app:// a standard, secure origin (like https for the web platform). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** net::ERR_FILE_NOT_FOUND: what a refused or missing file gets from the file protocol. */
const FILE_NOT_FOUND = -6;

/**
 * Serves the built renderer (dist/renderer) on app://cluster-trust/. Anything else is not served.
 *
 * Through Electron's file protocol, which hands each file to Chromium's own loader. Its successor,
 * protocol.handle, builds Node fetch Request and Response objects for every request and streams each
 * body through main's JavaScript: on Electron 25 the first screen came 30-60 ms later that way (Node's
 * fetch classes alone take ~14 ms to load on first use). registerFileProtocol is deprecated since
 * Electron 25 but still in current releases; an Electron without it gets protocol.handle, with the
 * same files and headers (CLUSTER_TRUST_SERVE_WITH_HANDLE=1 takes that path, for its test).
 */
export function serveRenderer(root: string): void {
  if (typeof protocol.registerFileProtocol === 'function' && process.env.CLUSTER_TRUST_SERVE_WITH_HANDLE !== '1') {
    protocol.registerFileProtocol(APP_SCHEME, (request, respond) => {
      const file = resolveAppAsset(root, request.url);
      respond(file ? { path: file, headers: assetHeaders(file) } : { error: FILE_NOT_FOUND });
    });
    return;
  }
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppAsset(root, request.url);
    if (!file) return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    try {
      return new Response(await readFile(file), { status: 200, headers: assetHeaders(file) });
    } catch {
      return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    }
  });
}
