import type { CertStateId } from '../../src-main/ipc/contract.ts';

/** "AB:CD:..." as openssl and browsers show fingerprints. */
export function formatFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/.{2}/g) ?? []).join(':');
}

// One formatter each: toLocaleDateString builds a new one per call, which shows in a 200-row table.
const DATE = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const DATE_TIME = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

function format(iso: string | null | undefined, formatter: Intl.DateTimeFormat): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : formatter.format(d);
}

export function formatDate(iso: string | null | undefined): string {
  return format(iso, DATE);
}

export function formatDateTime(iso: string | null | undefined): string {
  return format(iso, DATE_TIME);
}

export function daysText(days: number | null | undefined): string {
  if (days === null || days === undefined) return '';
  if (days < 0) return days === -1 ? 'expired yesterday' : `expired ${-days} days ago`;
  if (days === 0) return 'expires today';
  if (days === 1) return '1 day left';
  return `${days} days left`;
}

const STATE_LABELS: Record<CertStateId, string> = {
  none: 'No certificate',
  ok: 'Valid',
  renew: 'Renew soon',
  expired: 'Expired',
  revoked: 'Revoked',
  untrusted: 'CA retired',
};

export function stateLabel(state: CertStateId): string {
  return STATE_LABELS[state];
}

/** Fewer days left than this and a certificate due for renewal shows red, not amber. */
export const URGENT_DAYS = 7;

/**
 * The colour a state is shown in: green ok, amber renew (red with fewer than URGENT_DAYS left),
 * red expired/revoked/untrusted, grey none. Main decides the state with the user's threshold.
 */
export function stateTone(state: CertStateId, days?: number | null): 'ok' | 'warn' | 'bad' | 'none' {
  if (state === 'ok') return 'ok';
  if (state === 'renew') return days !== null && days !== undefined && days < URGENT_DAYS ? 'bad' : 'warn';
  if (state === 'none') return 'none';
  return 'bad';
}

/** The expiry bars' common scale: every bar measures days left against the same span, never a fraction of a lifetime. */
export function barScaleDays(warnDays: number): number {
  return Math.max(90, warnDays * 3);
}

/** How full a days-left bar is, in percent of `scaleDays`. */
export function barPercent(daysLeft: number | null, scaleDays: number): number {
  if (daysLeft === null) return 0;
  return Math.max(0, Math.min(100, (daysLeft / scaleDays) * 100));
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function keyTypeLabel(id: string | null | undefined): string {
  if (!id) return 'default';
  const m = /^(ecdsa|rsa)-p?(\d+)$/.exec(id);
  if (!m) return id;
  return m[1] === 'ecdsa' ? `ECDSA P-${m[2]}` : `RSA ${m[2]}`;
}
