import { DUE_STATES, statusReport } from '../../lifecycle/status.ts';
import { renewNodes, type RenewSelection } from '../../lifecycle/renew.ts';
import { revokeCertificate } from '../../lifecycle/revoke.ts';
import { statSync } from 'node:fs';
import { AUDIT_FILE, readAuditNewest } from '../../vault/audit.ts';
import { backupVault } from '../../lifecycle/backup.ts';
import { checkSettingsFile, readSettings, writeSettings } from '../../lifecycle/expiry-watch.ts';
import type { AuditRow, LifecycleInvoke, LifecycleRow, LifecycleView, RenewedCertView } from '../contract.ts';
import type { CallContext, Host } from '../host.ts';
import type { CoreContext } from '../../core/context.ts';
import type { HandlerSection } from './types.ts';
import { DAY_MS } from '../../pki/days.ts';
import { warnDaysOf } from '../../core/status.ts';
import { cachedView } from '../view-cache.ts';
import type { Inventory } from '../../vault/schema.ts';

/** The Lifecycle section's data: every row with its state and lifetime, the counts and what is due. */
function lifecycleView(ctx: CoreContext, inv: Inventory): LifecycleView {
  const report = statusReport(ctx);
  // The bar under each row needs the whole lifetime, which the status report does not carry.
  // One map by serial, not a scan per row (10,000 nodes made that 50 million comparisons).
  const bySerial = new Map(inv.certs.map((c) => [c.serial, c]));
  const lifetime = (kind: LifecycleRow['kind'], serial: string | null): number | null => {
    if (kind === 'node') {
      const c = serial === null ? undefined : bySerial.get(serial);
      return c ? Math.max(1, Math.round((Date.parse(c.notAfter) - Date.parse(c.notBefore)) / DAY_MS)) : null;
    }
    if (kind === 'ca') {
      const ca = inv.cas.find((x) => x.status === 'active') ?? inv.cas[0];
      return ca ? Math.max(1, Math.round((Date.parse(ca.notAfter) - Date.parse(ca.notBefore)) / DAY_MS)) : null;
    }
    return inv.crl ? Math.max(1, Math.round((Date.parse(inv.crl.nextUpdate) - Date.parse(inv.crl.thisUpdate)) / DAY_MS)) : null;
  };
  const rows = report.rows.map((r) => ({
    kind: r.kind,
    name: r.name,
    profile: r.profile,
    serial: r.serial,
    notAfter: r.notAfter,
    daysLeft: r.daysLeft,
    lifetimeDays: lifetime(r.kind, r.serial),
    state: r.state,
  }));
  // The counts are of nodes only: the CA and the CRL have their own rows (and the report counts them in).
  const counts: LifecycleView['counts'] = { none: 0, ok: 0, renew: 0, expired: 0, revoked: 0, untrusted: 0 };
  for (const r of rows) if (r.kind === 'node') counts[r.state]++;
  const due = rows.filter((r) => r.kind === 'node' && DUE_STATES.has(r.state)).length;
  return { counts, due, rows, lastBackupAt: report.lastBackupAt, backupReminder: report.backupReminder };
}

/** Which audit log, and which version of it: its vault, identity, size and modification time. */
function auditStamp(ctx: CoreContext): string {
  const file = ctx.vault.path(AUDIT_FILE);
  try {
    const st = statSync(file, { bigint: true });
    return `${file}\0${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return `${file}\0none`;
  }
}

/** Renews a selection for the window: progress on `lifecycleProgress` under the caller's job id. */
export async function renewWithProgress(ctx: CoreContext, selection: RenewSelection, jobId: string, call: CallContext): Promise<RenewedCertView[]> {
  const renewed = await renewNodes(ctx, selection, {
    onProgress: (done, total, node) => call.emit('lifecycleProgress', { jobId, done, total, node }),
  });
  return renewed.map((r) => ({ node: r.node, previousSerial: r.previousSerial, serial: r.serial, notAfter: r.notAfter, keptKey: r.keptKey }));
}

export function lifecycleHandlers(host: Host): HandlerSection<LifecycleInvoke> {
  let lastAudit: { key: string; rows: AuditRow[] } | null = null;
  const lifecycle = (): LifecycleView => {
    const ctx = host.context();
    const inv = ctx.vault.read();
    return cachedView(inv, 'lifecycle', ctx.now(), warnDaysOf(ctx), () => lifecycleView(ctx, inv));
  };
  const auditLog = ({ node, limit }: { node?: string; limit: number }): AuditRow[] => {
    const ctx = host.context();
    // The log only grows: the same file, size and time means the same entries (no re-parse per visit).
    const key = `${auditStamp(ctx)}\0${node ?? ''}\0${limit}`;
    if (lastAudit?.key === key) return lastAudit.rows;
    const rows = readAuditNewest(ctx, limit, node === undefined ? {} : { node }).map((e) => ({ time: e.time, action: e.action, outcome: e.outcome, node: e.node ?? null, serial: e.serial ?? null, detail: e.detail ?? null }));
    // Frozen: the same answer (and its JSON text, see view-cache.ts) serves every visit until the log grows.
    for (const row of rows) Object.freeze(row);
    lastAudit = { key, rows: Object.freeze(rows) as AuditRow[] };
    return lastAudit.rows;
  };
  return {
    getLifecycle: () => lifecycle(),
    renewNodes: ({ names, jobId }, call) => renewWithProgress(host.context(), names, jobId, call),
    renewDue: ({ jobId }, call) => renewWithProgress(host.context(), 'due', jobId, call),
    revokeCert: async ({ name, reason }) => {
      const r = await revokeCertificate(host.context(), { node: name }, reason);
      return { serial: r.cert.serial, reason: r.reason, crlNumber: r.crlNumber };
    },
    getAuditLog: auditLog,
    warmLifecycle: ({ historyLimit }) => {
      lifecycle();
      auditLog({ limit: historyLimit });
      return null;
    },
    backupVault: async () => {
      const ctx = host.context();
      const stamp = ctx.now().toISOString().slice(0, 10);
      const path = await host.chooseSavePath({ title: 'Back up the vault', defaultName: `cluster-trust-backup-${stamp}.tar.gz`, filters: [{ name: 'Gzipped tar', extensions: ['tar.gz', 'tgz'] }] });
      if (!path) return { saved: false };
      const r = await backupVault(ctx, path);
      return { saved: true, path: r.path, sha256: r.sha256, files: r.files };
    },
    getPreferences: () => {
      const s = readSettings(checkSettingsFile(host.settingsFile?.()));
      return { notifyExpiry: s.notifyExpiry, expiryWarnDays: s.expiryWarnDays };
    },
    setPreferences: (change) => {
      const file = checkSettingsFile(host.settingsFile?.());
      const next = { ...readSettings(file), ...change };
      writeSettings(file, next);
      return { notifyExpiry: next.notifyExpiry, expiryWarnDays: next.expiryWarnDays };
    },
  };
}
