import { type PushResult } from '../../ssh/index.ts';
import { pushNodes } from '../../lifecycle/push.ts';
import { summarizeNodes, warnDaysOf } from '../../core/status.ts';
import { sshTargetText } from '../../core/nodes.ts';
import { UserError } from '../../errors.ts';
import type { HostKeyInfo } from '../../ssh/index.ts';
import type { PushInvoke, PushNodeResult } from '../contract.ts';
import type { CallContext, Host } from '../host.ts';
import type { AskPassphrase, PassphraseAnswer } from '../../ssh/auth.ts';
import { keychainKeyPassphrases } from '../../ssh/key-passphrases.ts';
import type { HandlerSection } from './types.ts';
import { PushApprovals } from '../push-approvals.ts';
import { cachedView } from '../view-cache.ts';
import { confirmHostKeys, confirmPushSettings } from '../push-confirm.ts';

/** How long a passphrase question waits for the window before the key counts as declined. */
const PASSPHRASE_WAIT_MS = 10 * 60_000;

function resultView(r: PushResult, unknownKey: HostKeyInfo | undefined): PushNodeResult {
  return {
    node: r.node,
    status: r.status,
    message: r.appMessage,
    changes: r.changes.length,
    // A live check runs only once the bundle is in place.
    inPlace: r.status === 'updated' || r.status === 'unchanged' || r.installed !== null || r.verify !== null,
    verify: r.verify ? { ok: r.verify.ok, message: r.verify.message } : null,
    // Only when the push failed on it: a key accepted in this run is not a question any more.
    unknownHostKey: r.status === 'failed' && unknownKey ? { host: unknownKey.host, port: unknownKey.port, keyType: unknownKey.keyType, fingerprint: unknownKey.fingerprint } : null,
    code: r.error?.code ?? null,
    durationMs: r.durationMs,
  };
}

export function pushHandlers(host: Host): HandlerSection<PushInvoke> {
  /** Running pushes by job id: Cancel aborts one. */
  const running = new Map<string, AbortController>();
  /** Passphrase questions waiting for the window, by job and key file. */
  const asking = new Map<string, (answer: PassphraseAnswer | null) => void>();
  /** The push settings the user confirmed in main's dialog (never anything the page says). */
  const approvals = new PushApprovals(host.pushApprovalsFile);
  const askKey = (jobId: string, keyFile: string): string => `${jobId}\n${keyFile}`;
  const askWindow = (jobId: string, signal: AbortSignal, call: CallContext): AskPassphrase => ({ keyFile, attempt }) =>
    new Promise((resolve) => {
      const key = askKey(jobId, keyFile);
      const settle = (answer: PassphraseAnswer | null): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        asking.delete(key);
        resolve(answer);
      };
      const onAbort = (): void => settle(null);
      const timer = setTimeout(onAbort, PASSPHRASE_WAIT_MS);
      if (signal.aborted) return settle(null);
      signal.addEventListener('abort', onAbort, { once: true });
      asking.set(key, settle);
      call.emit('sshKeyPassphrase', { jobId, keyFile, attempt });
    });
  return {
    listPushTargets: () => {
      const ctx = host.context();
      const inv = ctx.vault.read();
      const now = ctx.now();
      const warnDays = warnDaysOf(ctx);
      return cachedView(inv, 'push-targets', now, warnDays, () =>
        summarizeNodes(inv, now, undefined, warnDays).map((s) => ({
          name: s.node.name,
          ssh: s.node.ssh ? sshTargetText(s.node.ssh) : null,
          state: s.state,
        })),
      );
    },
    pushNodes: async ({ jobId, names, dryRun, verify, trustHostKeys, concurrency, timeoutSeconds }, call) => {
      if (running.has(jobId)) throw new UserError('conflict', `push ${jobId} is already running`);
      const ctx = host.context();
      const abort = new AbortController();
      running.set(jobId, abort);
      const unknown = new Map<string, HostKeyInfo>();
      try {
        // A dry run sends no key and runs no command: only a real push needs the settings confirmed.
        if (!dryRun) await confirmPushSettings(host, approvals, ctx, names);
        const hostKeyConfirmed = await confirmHostKeys(host, ctx, names, trustHostKeys ?? []);
        // Never inside vault.update: the push takes the vault lock itself to record host keys.
        const results = await pushNodes(
          ctx,
          names,
          {
            dryRun,
            verify,
            ...(concurrency !== undefined ? { concurrency } : {}),
            ...(timeoutSeconds !== undefined ? { timeoutMs: timeoutSeconds * 1000 } : {}),
            signal: abort.signal,
            auth: { askPassphrase: askWindow(jobId, abort.signal, call), onNotice: (message) => call.emit('pushNotice', { jobId, message }) },
            // The page may only ask: main's own dialog decides, for that node and that exact fingerprint.
            onUnknownHostKey: (info) => {
              if (hostKeyConfirmed(info)) return true;
              unknown.set(info.node, info);
              return false;
            },
          },
          (e) =>
            call.emit('pushProgress', {
              jobId,
              node: e.node,
              phase: e.phase,
              ...(e.message !== undefined ? { message: e.appMessage ?? e.message } : {}),
              ...(e.bytes ? { bytes: { done: e.bytes.done, total: e.bytes.total } } : {}),
              ...(e.attempt !== undefined ? { attempt: e.attempt } : {}),
              ...(e.status !== undefined ? { status: e.status } : {}),
            }),
        );
        return results.map((r) => resultView(r, unknown.get(r.node)));
      } finally {
        running.delete(jobId);
      }
    },
    cancelPush: ({ jobId }) => {
      const abort = running.get(jobId);
      abort?.abort();
      return { cancelled: !!abort };
    },
    answerSshKeyPassphrase: ({ jobId, keyFile, passphrase, remember }) => {
      const settle = asking.get(askKey(jobId, keyFile));
      settle?.(passphrase === null ? null : { passphrase, remember });
      return { accepted: !!settle };
    },
    listSavedSshKeys: () => keychainKeyPassphrases(host.context().keychain).list(),
    forgetSshKeyPassphrase: async ({ keyFile }) => {
      const saved = keychainKeyPassphrases(host.context().keychain);
      if (!(await saved.list()).includes(keyFile)) throw new UserError('not-found', `no passphrase is kept for ${keyFile}`);
      return { forgotten: await saved.forget(keyFile) };
    },
  };
}
