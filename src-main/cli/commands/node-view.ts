import { nodeWithHistory } from '../../core/node-lookup.ts';
import { summarizeView } from '../../core/status.ts';
import { readNodesView } from '../../core/nodes-view.ts';
import { getProfile, verifyPortOf } from '../../profiles/index.ts';
import { singleName } from '../args.ts';
import { kv, table } from '../format.ts';
import type { Command } from '../command.ts';

/**
 * The read-only node commands, a group of their own: at 10,000 nodes their time is reading the
 * vault, so they load no PKI, SSH or import code (`node add` and the rest are in node.ts).
 */
export const nodeViewCommands: Command[] = [
  {
    words: ['node', 'list'],
    usage: 'node list',
    summary: 'list nodes with their certificate state',
    async run(ctx, _args, io) {
      const now = ctx.now();
      const rows = summarizeView(readNodesView(ctx), now);
      // Only the form asked for: at 10,000 nodes either one costs a noticeable part of the run.
      // Object.assign, not a spread: with records of many shapes the spread took 3x as long at 10,000 nodes.
      if (io.json) return { human: '', json: rows.map((r) => Object.assign({}, r.node, { state: r.state, daysLeft: r.daysLeft ?? null, serial: r.cert?.serial ?? null, notAfter: r.cert?.notAfter ?? null })) };
      return {
        human: rows.length === 0 ? 'no nodes yet: add one with `cluster-trust node add NAME --ip A`' : table(
          ['NAME', 'PROFILE', 'ADDRESSES', 'STATE', 'DAYS', 'SERIAL'],
          rows.map((r) => [r.node.name, r.node.profile, [...r.node.dns, ...r.node.ips].join(','), r.state, r.daysLeft?.toString() ?? '-', r.cert?.serial ?? '-']),
        ),
        json: null,
      };
    },
  },
  {
    words: ['node', 'show'],
    usage: 'node show NAME',
    summary: 'show a node and the history of its certificates',
    async run(ctx, args) {
      const { node, history } = nodeWithHistory(ctx, singleName(args, this.usage));
      const human = [
        kv([
          ['node', node.name],
          ['profile', node.profile],
          ['DNS', node.dns.join(', ') || '-'],
          ['IP', node.ips.join(', ') || '-'],
          ['usage', [node.server && 'serverAuth', node.client && 'clientAuth'].filter(Boolean).join(', ')],
          ['ssh', node.ssh ? `${node.ssh.user}@${node.ssh.host}:${node.ssh.port}` : '-'],
          ['key made on', node.keyOnNode ? 'the node (over SSH; the vault never holds it)' : 'this machine (sealed in the vault)'],
          ...(node.ssh ? ([
            ['ssh key', node.ssh.keyFile ?? 'ssh-agent or ~/.ssh/id_*'],
            ['destination', node.dest ?? `${getProfile(node.profile).defaultDest} (profile default)`],
            ['owner', node.owner ?? 'the SSH user'],
            ['trust CA on node', node.trustCa ? 'yes, at every push' : 'no'],
            ['restart', node.restart ?? '-'],
            ['verify port', verifyPortOf(node)?.toString() ?? '-'],
          ] as Array<[string, string]>) : []),
        ]),
        '',
        history.length ? table(['SERIAL', 'STATUS', 'NOT AFTER', 'SHA-256'], history.map((c) => [c.serial, c.status, c.notAfter, c.fingerprint])) : 'no certificates issued yet',
      ].join('\n');
      return { human, json: { node, certificates: history } };
    },
  },
];
