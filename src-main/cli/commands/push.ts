import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, type PushEvent, type PushResult } from '../../ssh/index.ts';
import { sshKeyPassphrases } from '../ssh-key-passphrases.ts';
import { invalid } from '../../errors.ts';
import { intOption, one } from '../args.ts';
import { table } from '../format.ts';
import type { Command } from '../command.ts';
import { pushNodes } from '../../lifecycle/push.ts';

/** Progress for people: one line when a node changes phase (not per uploaded chunk). */
function progressPrinter(print: (line: string) => void): (e: PushEvent) => void {
  const last = new Map<string, string>();
  return (e) => {
    if (e.phase === 'queued' || e.phase === 'done' || e.phase === 'failed' || e.phase === 'cancelled') return;
    const key = `${e.phase}:${e.attempt ?? ''}:${e.message ?? ''}`;
    if (last.get(e.node) === key) return;
    last.set(e.node, key);
    print(`${e.node}: ${e.phase}${e.message ? ` (${e.message})` : ''}`);
  };
}

function summary(results: PushResult[]): string {
  const count = (s: PushResult['status']) => results.filter((r) => r.status === s).length;
  const parts = [
    ['updated', count('updated')],
    ['unchanged', count('unchanged')],
    ['would update', count('would-update')],
    ['failed', count('failed')],
    ['cancelled', count('cancelled')],
  ].filter(([label, n]) => n !== 0 || label === 'failed');
  return `${results.length} node${results.length === 1 ? '' : 's'}: ${parts.map(([label, n]) => `${n} ${label}`).join(', ')}`;
}

export const pushCommands: Command[] = [
  {
    words: ['push'],
    usage: 'push NAME... | --all [--concurrency N] [--dry-run] [--no-verify] [--accept-new-host-keys] [--timeout SECONDS] [--ssh-key-passphrase-file FILE [--remember-ssh-key-passphrase]] [--owner USER[:GROUP]] [--trust-ca]',
    summary: 'push nodes\' bundles over SSH (atomic install, optional restart), then check what each node serves',
    options: [
      { name: 'all' },
      { name: 'concurrency', value: true },
      { name: 'dry-run' },
      { name: 'no-verify' },
      { name: 'accept-new-host-keys' },
      { name: 'timeout', value: true },
      { name: 'ssh-key-passphrase-file', value: true },
      { name: 'remember-ssh-key-passphrase' },
      { name: 'trust-ca' },
      { name: 'owner', value: true },
    ],
    async run(ctx, args, io) {
      const all = args.flags.has('all');
      if (all && args.positionals.length) throw invalid('give node names or --all, not both');
      if (!all && args.positionals.length === 0) throw invalid(`usage: cluster-trust ${this.usage}`);
      const concurrency = intOption(args, 'concurrency') ?? DEFAULT_CONCURRENCY;
      const timeout = intOption(args, 'timeout');
      const cancel = new AbortController();
      const onSigint = (): void => cancel.abort();
      process.once('SIGINT', onSigint);
      let results: PushResult[];
      try {
        results = await pushNodes(
          ctx,
          all ? 'all' : args.positionals,
          {
            concurrency,
            timeoutMs: timeout === undefined ? DEFAULT_TIMEOUT_MS : timeout * 1000,
            dryRun: args.flags.has('dry-run'),
            verify: !args.flags.has('no-verify'),
            acceptNewHostKeys: args.flags.has('accept-new-host-keys'),
            trustCa: args.flags.has('trust-ca'),
            ...(one(args, 'owner') ? { owner: one(args, 'owner') } : {}),
            auth: {
              askPassphrase: sshKeyPassphrases(one(args, 'ssh-key-passphrase-file'), args.flags.has('remember-ssh-key-passphrase')),
              onNotice: (line) => io.progress(`note: ${line}`),
            },
            signal: cancel.signal,
          },
          progressPrinter((line) => io.progress(line)),
        );
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
      const failed = results.some((r) => r.status === 'failed' || r.status === 'cancelled');
      const human = [table(['NODE', 'RESULT', 'DETAILS'], results.map((r) => [r.node, r.status, r.message])), '', summary(results)].join('\n');
      return { human, json: { results, summary: summary(results) }, exitCode: failed ? 1 : 0 };
    },
  },
];
