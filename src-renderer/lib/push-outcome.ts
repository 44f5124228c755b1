import type { IpcErrorCode, PushNodeResult } from '../../src-main/ipc/contract.ts';

/** What one node's push came to, as the Push screen shows it: the bundle and the live check apart. */
export interface PushOutcome {
  /** ok, installed but the live check failed, failed before the bundle was in place, cancelled, compare only. */
  kind: 'ok' | 'check-failed' | 'failed' | 'cancelled' | 'would';
  /** "Installed", "Unchanged", "Failed"... */
  label: string;
  /** The rest of the result's line, without what the label or the live-check line already say. */
  detail: string;
}

const LIVE_CHECK_FAILED = /;?\s*but the live check failed: .*$/;

export function pushOutcome(r: PushNodeResult): PushOutcome {
  if (r.status === 'cancelled') return { kind: 'cancelled', label: 'Cancelled', detail: r.message };
  if (r.status === 'would-update') return { kind: 'would', label: 'Would change', detail: r.message.replace(/^would /, '') };
  if (r.status === 'failed' && !r.inPlace) return { kind: 'failed', label: 'Failed', detail: r.message };
  const checkFailed = r.verify !== null && !r.verify.ok;
  const unchanged = r.status === 'unchanged' || /^unchanged\b/.test(r.message);
  const detail = r.message.replace(LIVE_CHECK_FAILED, '').replace(/^unchanged(;\s*)?/, '');
  return { kind: checkFailed || r.status === 'failed' ? 'check-failed' : 'ok', label: unchanged ? 'Unchanged' : 'Installed', detail };
}

/** What the user can do about a failed push, by its code (the wizard and the Push screen say the same). */
const REMEDIES: Partial<Record<IpcErrorCode, string>> = {
  'host-key-unknown': 'Its host key is not known yet: compare it and trust it on the Push screen.',
  'host-key-changed': 'Its host key changed: find out why on the node before pushing again (someone may be intercepting the connection).',
  'no-passphrase': 'Its SSH key was not unlocked: push again and give the key\'s passphrase.',
  'bad-passphrase': 'Its SSH key was not unlocked: push again and give the key\'s passphrase.',
  'auth-refused': 'The node did not accept the SSH key: choose the right key in the node\'s Edit form (Push over SSH), or start ssh-agent.',
  unreachable: 'The node could not be reached: check that it is up and that its SSH target is right.',
  timeout: 'The node did not answer in time: check it, or push again with a longer time limit.',
  'verify-failed': 'The bundle is in place but the node does not serve it yet: check its service (restart command, port).',
};

export function pushRemedy(r: PushNodeResult): string | null {
  if (r.status !== 'failed') return null;
  return (r.code && REMEDIES[r.code]) || null;
}
