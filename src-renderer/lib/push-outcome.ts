import type { PushNodeResult } from '../../src-main/ipc/contract.ts';

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
