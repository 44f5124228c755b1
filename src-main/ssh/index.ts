/**
 * Pushing bundles to nodes over SSH (ssh2): the API the CLI and the GUI call.
 *
 *   const results = await pushBundles(ctx, ['orch1'] | 'all', { concurrency: 8 }, (event) => ...);
 */
export { pushBundles, DEFAULT_CONCURRENCY, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS } from './push.ts';
export type { PushEvent, PushListener, PushOptions, PushPhase, PushResult, PushStatus } from './push.ts';
export type { AskPassphrase, AuthOptions, PassphraseAnswer, PassphraseRequest } from './auth.ts';
export { defaultHostKeyFiles } from './host-keys.ts';
export type { HostKeyFiles, HostKeyInfo, UnknownHostKeyHandler } from './host-keys.ts';
export type { FileChange } from './remote-state.ts';
export type { VerifyResult } from './verify.ts';
export { sshFingerprint } from './known-hosts.ts';
