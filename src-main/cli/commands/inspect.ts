import { readFileSync } from 'node:fs';
import { inspectCertificates, formatFingerprint } from '../../pki/inspect.ts';
import { describeConstraints } from '../../pki/name-constraints.ts';
import { invalid } from '../../errors.ts';
import { kv } from '../format.ts';
import type { Command } from '../command.ts';

export const inspectCommands: Command[] = [
  {
    words: ['inspect'],
    usage: 'inspect FILE',
    summary: 'show subject, SANs, issuer, validity and SHA-256 of every certificate in a PEM or DER file',
    async run(_ctx, args) {
      if (args.positionals.length !== 1) throw invalid(`usage: cluster-trust ${this.usage}`);
      let data: Buffer;
      try {
        data = readFileSync(args.positionals[0]!);
      } catch (err) {
        throw invalid(`cannot read ${args.positionals[0]}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const reports = inspectCertificates(data);
      const human = reports.map((r) => kv([
        ['subject', r.subject],
        ['issuer', r.issuer],
        ['serial', r.serial],
        ['valid', `${r.notBefore} .. ${r.notAfter}`],
        ['CA', r.isCa ? (r.selfSigned ? 'yes (root: self-signed)' : 'yes (intermediate: signed by the issuer above)') : 'no'],
        ...(r.isCa ? [['name constraints', r.nameConstraints ? describeConstraints(r.nameConstraints) : 'none (may sign for any name)'] as [string, string]] : []),
        ['DNS', r.dns.join(', ') || '-'],
        ['IP', r.ips.join(', ') || '-'],
        ['usage', r.extendedKeyUsage.join(', ') || '-'],
        ['key', r.keyType],
        ['SHA-256', formatFingerprint(r.sha256)],
      ])).join('\n\n');
      return { human, json: reports };
    },
  },
];
