import { statusReport, type StatusRow } from '../../lifecycle/status.ts';
import { intOption } from '../args.ts';
import { table } from '../format.ts';
import type { Command } from '../command.ts';

/** `status` exits with this when anything is due, so cron and monitoring checks see it; errors exit 1. */
export const STATUS_DUE_EXIT = 2;

function stateCell(r: StatusRow): string {
  return r.issuer && r.issuer !== 'active' ? `${r.state} (${r.issuer} CA)` : r.state;
}

/** `status` alone: a monitoring check runs it often, so its group loads nothing it does not use. */
export const statusCommands: Command[] = [
  {
    words: ['status'],
    usage: 'status [--within DAYS]',
    summary: `every certificate, the CA and the CRL with their state (ok, renew, expired, revoked, untrusted); exits ${STATUS_DUE_EXIT} when anything is due`,
    options: [{ name: 'within', value: true }],
    async run(ctx, args, io) {
      const report = statusReport(ctx, { withinDays: intOption(args, 'within') });
      const exitCode = report.due > 0 ? STATUS_DUE_EXIT : 0;
      if (io.json) return { human: '', json: report, exitCode }; // no 10,000-row table nobody prints
      const lines = [
        table(['NODE', 'PROFILE', 'SERIAL', 'NOT AFTER', 'DAYS LEFT', 'STATE'], report.rows.map((r) => [
          r.name, r.profile, r.serial ?? '-', r.notAfter ?? '-', r.daysLeft?.toString() ?? '-', stateCell(r),
        ])),
        '',
        Object.entries(report.counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', '),
      ];
      if (report.due > 0) {
        lines.push(`${report.due} due: run \`cluster-trust renew --due\`${report.rows.some((r) => r.kind === 'crl' && r.state !== 'ok') ? ' and `cluster-trust crl`' : ''}${report.rows.some((r) => r.kind === 'ca' && r.state !== 'ok') ? '; the CA is near its end: `cluster-trust ca rotate`' : ''}`);
      }
      if (report.backupReminder) lines.push('no backup since the CA was made: run `cluster-trust backup --out FILE`');
      return { human: lines.join('\n'), json: report, exitCode };
    },
  },
];
