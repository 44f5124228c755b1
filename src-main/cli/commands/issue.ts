import { writeFileSync } from 'node:fs';
import { issueForNodes, signCsr } from '../../core/issue.ts';
import { writeBundleFile } from '../../bundle/write.ts';
import { invalid } from '../../core/errors.ts';
import { intOption, many, one } from '../args.ts';
import { table } from '../format.ts';
import { readInputFile } from '../input-files.ts';
import type { Command } from '../command.ts';

export const issueCommands: Command[] = [
  {
    words: ['issue'],
    usage: 'issue NAME... | --all [--days N] [--key TYPE]',
    summary: 'issue or renew node certificates (many at once use every core)',
    options: [{ name: 'all' }, { name: 'days', value: true }, { name: 'key', value: true }],
    async run(ctx, args, io) {
      const all = args.flags.has('all');
      if (all === (args.positionals.length > 0)) throw invalid('name the nodes to issue for, or use --all (not both)');
      const issued = await issueForNodes(ctx, all ? 'all' : args.positionals, {
        days: intOption(args, 'days'),
        keyType: one(args, 'key'),
        onProgress: (done, total, node) => io.progress(`[${done}/${total}] ${node}`),
      });
      return {
        human: table(['NODE', 'SERIAL', 'NOT AFTER', 'NAMES'], issued.map((i) => [i.node, i.serial, i.notAfter, [...i.dns, ...i.ips].join(',')])),
        json: issued,
      };
    },
  },
  {
    words: ['sign-csr'],
    usage: 'sign-csr FILE --out FILE [--days N] [--client] [--server] [--dns D]... [--ip A]... [--name NODE]',
    summary: 'sign a CSR made on a node (the node keeps its key): a stand-alone certificate with the CSR\'s SANs, or with --name NODE the node\'s certificate with its names',
    options: [
      { name: 'out', value: true },
      { name: 'days', value: true },
      { name: 'client' },
      { name: 'server' },
      { name: 'dns', value: true, repeat: true },
      { name: 'ip', value: true, repeat: true },
      { name: 'name', value: true },
    ],
    async run(ctx, args) {
      if (args.positionals.length !== 1) throw invalid(`usage: cluster-trust ${this.usage}`);
      const out = one(args, 'out');
      if (!out) throw invalid('sign-csr needs --out FILE');
      const csr = readInputFile(args.positionals[0]!, 'CSR');
      const override = args.options.has('dns') || args.options.has('ip');
      const { certPem, issued, standalone } = await signCsr(ctx, csr, {
        days: intOption(args, 'days'),
        ...(args.flags.has('client') ? { client: true } : {}),
        ...(args.flags.has('server') ? { server: true } : {}),
        ...(override ? { dns: many(args, 'dns'), ips: many(args, 'ip') } : {}),
        name: one(args, 'name'),
      });
      let path: string;
      if (out === '-') {
        writeFileSync(1, certPem);
        path = '-';
      } else {
        path = writeBundleFile(Buffer.from(certPem), out);
      }
      const what = standalone ? `a stand-alone certificate "${issued.node}" (no node's; --name NODE signs for a node)` : `node ${issued.node}`;
      return { human: out === '-' ? '' : `signed ${what} (serial ${issued.serial}) -> ${path}`, json: { ...issued, standalone, path } };
    },
  },
];
