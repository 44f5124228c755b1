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

/** The colour a state is shown in: green ok, amber renew, red expired/revoked/untrusted, grey none. */
export function stateTone(state: CertStateId): 'ok' | 'warn' | 'bad' | 'none' {
  if (state === 'ok') return 'ok';
  if (state === 'renew') return 'warn';
  if (state === 'none') return 'none';
  return 'bad';
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
