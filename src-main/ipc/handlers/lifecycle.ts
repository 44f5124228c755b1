import { DUE_STATES, statusReport } from '../../lifecycle/status.ts';
import { renewNodes, type RenewSelection } from '../../lifecycle/renew.ts';
import { revokeCertificate } from '../../lifecycle/revoke.ts';
import { readAudit } from '../../vault/audit.ts';
import { backupVault } from '../../lifecycle/backup.ts';
import { checkSettingsFile, readSettings, writeSettings } from '../../lifecycle/expiry-watch.ts';
import type { LifecycleInvoke, LifecycleRow, LifecycleView, RenewedCertView } from '../contract.ts';
import type { CallContext, Host } from '../host.ts';
import type { CoreContext } from '../../core/context.ts';
import type { HandlerSection } from './types.ts';
import { DAY_MS } from '../../pki/days.ts';



/** Renews a selection for the window: progress on `lifecycleProgress` under the caller's job id. */
export async function renewWithProgress(ctx: CoreContext, selection: RenewSelection, jobId: string, call: CallContext): Promise<RenewedCertView[]> {
  const renewed = await renewNodes(ctx, selection, {
    onProgress: (done, total, node) => call.emit('lifecycleProgress', { jobId, done, total, node }),
  });
  return renewed.map((r) => ({ node: r.node, previousSerial: r.previousSerial, serial: r.serial, notAfter: r.notAfter, keptKey: r.keptKey }));
}

export function lifecycleHandlers(host: Host): HandlerSection<LifecycleInvoke> {
  return {
    getLifecycle: () => {
      const ctx = host.context();
      const report = statusReport(ctx);
      const inv = ctx.vault.read();
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
    },
    renewNodes: ({ names, jobId }, call) => renewWithProgress(host.context(), names, jobId, call),
    renewDue: ({ jobId }, call) => renewWithProgress(host.context(), 'due', jobId, call),
    revokeCert: async ({ name, reason }) => {
      const r = await revokeCertificate(host.context(), { node: name }, reason);
      return { serial: r.cert.serial, reason: r.reason, crlNumber: r.crlNumber };
    },
    getAuditLog: ({ node, limit }) => {
      const entries = readAudit(host.context(), node === undefined ? {} : { node });
      return entries
        .slice(-limit)
        .reverse()
        .map((e) => ({ time: e.time, action: e.action, outcome: e.outcome, node: e.node ?? null, serial: e.serial ?? null, detail: e.detail ?? null }));
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
