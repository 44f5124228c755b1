import { writeFileSync } from 'node:fs';
import { issueForNodes, signCsr } from '../../core/issue.ts';
import { writeBundleFile } from '../../bundle/write.ts';
import { invalid } from '../../errors.ts';
import { intOption, many, one } from '../args.ts';
import { table } from '../format.ts';
import { findNode } from '../../core/nodes.ts';
import { KEY_ON_NODE_OPTIONS, KEY_ON_NODE_USAGE, keyOnNodeOptions, onNodeProgress, withSigint } from '../key-on-node-options.ts';
import { readInputFile } from '../input-files.ts';
import type { Command } from '../command.ts';

/** SSH (ssh2) loads only when a node makes its own key: the other issues never pay for it. */
const onNodeIssuance = () => import('../../lifecycle/key-on-node.ts');

export const issueCommands: Command[] = [
  {
    words: ['issue'],
    usage: `issue NAME... | --all [--days N] [--key TYPE] ${KEY_ON_NODE_USAGE}`,
    summary: 'issue or renew node certificates (many at once use every core); a --key-on-node node makes its key over SSH',
    options: [{ name: 'all' }, { name: 'days', value: true }, { name: 'key', value: true }, ...KEY_ON_NODE_OPTIONS],
    async run(ctx, args, io) {
      const all = args.flags.has('all');
      if (all === (args.positionals.length > 0)) throw invalid('name the nodes to issue for, or use --all (not both)');
      // Named nodes: only their records are read (a 10,000-node inventory is not parsed for one).
      const inv = all ? ctx.vault.read() : ctx.vault.readNodes(args.positionals);
      const names = all ? inv.nodes.map((n) => n.name) : [...new Set(args.positionals)];
      // Nodes that make their own key go over SSH; the vault makes the others' keys in one batch.
      const onNode = names.flatMap((n) => {
        const node = findNode(inv, n);
        return node.keyOnNode ? [node] : [];
      });
      const here = names.filter((n) => !onNode.some((o) => o.name === n));
      const days = intOption(args, 'days');
      const keyType = one(args, 'key');
      const issued = here.length || !onNode.length
        ? await issueForNodes(ctx, all && !onNode.length ? 'all' : here, { days, keyType, onProgress: (done, total, node) => io.progress(`[${done}/${total}] ${node}`) })
        : [];
      const results = onNode.length
        ? await withSigint(async (signal) => (await onNodeIssuance()).issueOnNodes(ctx, onNode, { ...keyOnNodeOptions(args, io.progress, signal), key: 'new', days, keyType }, onNodeProgress(io.progress)))
        : [];
      const rows = [
        ...issued.map((i) => [i.node, i.serial, i.notAfter, [...i.dns, ...i.ips].join(','), 'made here, sealed in the vault']),
        ...results.map((r) => (r.issued ? [r.node, r.issued.serial, r.issued.notAfter, [...r.issued.dns, ...r.issued.ips].join(','), `made on the node: ${r.keyPath}`] : [r.node, 'FAILED', '-', '-', r.error!.message])),
      ];
      const failed = results.filter((r) => !r.issued);
      return {
        human: table(['NODE', 'SERIAL', 'NOT AFTER', 'NAMES', 'KEY'], rows) + (failed.length ? `\n\n${failed.length} node${failed.length === 1 ? '' : 's'} failed; nothing was recorded for ${failed.length === 1 ? 'it' : 'them'}` : ''),
        json: [...issued.map((i) => ({ ...i, keyOnNode: false })), ...results.map((r) => (r.issued ? { ...r.issued, keyOnNode: true, keyPath: r.keyPath } : { node: r.node, keyOnNode: true, error: r.error }))],
        exitCode: failed.length ? 1 : 0,
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
