import { bundled, fromSource, onFirstUse } from './on-first-use.ts';

/**
 * Node's own modules that only some operations use (running a trust-store tool, probing a node's TLS
 * service, unpacking a backup): Node compiles each on its first require, ~1-2 ms apiece, which a
 * window or a CLI read that never runs them should not pay at start.
 */
export const childProcess = onFirstUse<typeof import('node:child_process')>(() => (bundled ? require('node:child_process') : fromSource('node:child_process')));
export const tls = onFirstUse<typeof import('node:tls')>(() => (bundled ? require('node:tls') : fromSource('node:tls')));
export const zlib = onFirstUse<typeof import('node:zlib')>(() => (bundled ? require('node:zlib') : fromSource('node:zlib')));
