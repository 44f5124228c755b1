import { X509Certificate } from 'node:crypto';
import { activeCaRecord } from '../core/ca-records.ts';
import { caCertPath } from '../core/ca-paths.ts';
import { certState, summarizeView, warnDaysOf, type CertState } from '../core/status.ts';
import { readNodesView } from '../core/nodes-view.ts';
import { invalid } from '../errors.ts';
import { normalizeSerial } from '../pki/serial.ts';
import type { CoreContext } from '../core/context.ts';
import type { CaRecord } from '../vault/schema.ts';
import { daysLeft } from '../pki/days.ts';

/** States that need someone to act; `status` exits non-zero when any row is in one. */
export const DUE_STATES: ReadonlySet<CertState> = new Set<CertState>(['renew', 'expired', 'revoked', 'untrusted']);
export const MAX_WITHIN_DAYS = 36500;

export interface StatusRow {
  kind: 'node' | 'ca' | 'crl';
  name: string;
  /** The node's profile; `ca` or `crl` for the other rows. */
  profile: string;
  serial: string | null;
  notAfter: string | null;
  daysLeft: number | null;
  state: CertState;
  /** For node rows: whether the certificate comes from the active CA or an older one. */
  issuer?: CaRecord['status'];
}

export interface StatusReport {
  rows: StatusRow[];
  counts: Record<CertState, number>;
  due: number;
  withinDays: number | null;
  lastBackupAt: string | null;
  /** No backup since the active CA was made. */
  backupReminder: boolean;
}

export function checkWithin(days: number | undefined): number | undefined {
  if (days === undefined) return undefined;
  if (!Number.isInteger(days) || days < 0 || days > MAX_WITHIN_DAYS) throw invalid(`--within must be a whole number of days from 0 to ${MAX_WITHIN_DAYS} (got ${days})`);
  return days;
}


function caRow(ctx: CoreContext, ca: CaRecord, now: Date, withinDays?: number): StatusRow {
  const serial = normalizeSerial(new X509Certificate(ctx.vault.readText(caCertPath(ca.id))).serialNumber);
  return {
    kind: 'ca',
    name: `CA "${ca.name}"${ca.status === 'active' ? '' : ` (${ca.status})`}`,
    profile: 'ca',
    serial,
    notAfter: ca.notAfter,
    daysLeft: daysLeft(ca.notAfter, now),
    // The same 2/3-of-life rule as leaves: a CA inside its last third is due for rotation.
    state: certState({ notBefore: ca.notBefore, notAfter: ca.notAfter, status: 'active' }, now, withinDays, warnDaysOf(ctx)),
  };
}

/** Every node's current certificate, the trusted CAs and the CRL, each with its state. */
export function statusReport(ctx: CoreContext, opts: { withinDays?: number } = {}): StatusReport {
  const withinDays = checkWithin(opts.withinDays);
  // The derived view, not the whole inventory: the certificate history is not shown here.
  const inv = readNodesView(ctx);
  // No CA is an error, not "nothing due": a monitoring check must not pass on an empty vault.
  activeCaRecord(inv);
  const now = ctx.now();
  const rows: StatusRow[] = [];
  for (const ca of inv.cas) if (ca.status !== 'retired') rows.push(caRow(ctx, ca, now, withinDays));
  if (inv.crl) {
    rows.push({
      kind: 'crl',
      name: 'CRL',
      profile: 'crl',
      serial: String(inv.crlNumber),
      notAfter: inv.crl.nextUpdate,
      daysLeft: daysLeft(inv.crl.nextUpdate, now),
      // A CRL past its nextUpdate makes nginx and openssl refuse every client: renew it like a cert,
      // in the last third of its window (a 30-day CRL is always under a 30-day warning threshold).
      state: certState({ notBefore: inv.crl.thisUpdate, notAfter: inv.crl.nextUpdate, status: 'active' }, now, withinDays, 0),
    });
  }
  for (const s of summarizeView(inv, now, withinDays, warnDaysOf(ctx))) {
    rows.push({
      kind: 'node',
      name: s.node.name,
      profile: s.node.profile,
      serial: s.cert?.serial ?? null,
      notAfter: s.cert?.notAfter ?? null,
      daysLeft: s.daysLeft ?? null,
      state: s.state,
      ...(s.cert ? { issuer: inv.cas.find((c) => c.id === s.cert!.caId)?.status ?? 'retired' } : {}),
    });
  }
  const counts: Record<CertState, number> = { none: 0, ok: 0, renew: 0, expired: 0, revoked: 0, untrusted: 0 };
  for (const r of rows) counts[r.state]++;
  const active = inv.cas.find((c) => c.status === 'active');
  return {
    rows,
    counts,
    due: rows.filter((r) => DUE_STATES.has(r.state)).length,
    withinDays: withinDays ?? null,
    lastBackupAt: inv.lastBackupAt ?? null,
    backupReminder: !!active && (!inv.lastBackupAt || inv.lastBackupAt < active.createdAt),
  };
}
