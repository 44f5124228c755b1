import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { APP_SCHEME } from '../ipc/origin.ts';
import { assetHeaders, resolveAppAsset } from './assets.ts';

/** Must run before `app.ready`: makes app:// a standard, secure origin (like https for the web platform). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** Serves the built renderer (dist/renderer) on app://cluster-trust/. Anything else is a 404. */
export function serveRenderer(root: string): void {
  // protocol.handle exists from Electron 25 (our oldest supported runtime) onwards.
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
