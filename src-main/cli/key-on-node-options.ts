import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from '../ssh/defaults.ts';
import type { OnNodeEvent, OnNodeOptions } from '../lifecycle/key-on-node.ts';
import { sshKeyPassphrases } from './ssh-key-passphrases.ts';
import { intOption, one, type OptionSpec, type ParsedArgs } from './args.ts';

/** The SSH flags of `issue` and `renew` for nodes that make their own key (the same as push's). */
export const KEY_ON_NODE_OPTIONS: OptionSpec[] = [
  { name: 'accept-new-host-keys' },
  { name: 'concurrency', value: true },
  { name: 'timeout', value: true },
  { name: 'ssh-key-passphrase-file', value: true },
  { name: 'remember-ssh-key-passphrase' },
];

export const KEY_ON_NODE_USAGE = '[--accept-new-host-keys] [--concurrency N] [--timeout SECONDS] [--ssh-key-passphrase-file FILE [--remember-ssh-key-passphrase]]';

export function keyOnNodeOptions(args: ParsedArgs, progress: (line: string) => void, signal: AbortSignal): Omit<OnNodeOptions, 'key'> {
  const timeout = intOption(args, 'timeout');
  return {
    concurrency: intOption(args, 'concurrency') ?? DEFAULT_CONCURRENCY,
    timeoutMs: timeout === undefined ? DEFAULT_TIMEOUT_MS : timeout * 1000,
    acceptNewHostKeys: args.flags.has('accept-new-host-keys'),
    auth: {
      askPassphrase: sshKeyPassphrases(one(args, 'ssh-key-passphrase-file'), args.flags.has('remember-ssh-key-passphrase')),
      onNotice: (line) => progress(`note: ${line}`),
    },
    signal,
  };
}

/** One progress line per node and phase. */
export function onNodeProgress(print: (line: string) => void): (e: OnNodeEvent) => void {
  return (e) => {
    if (e.phase === 'queued') return;
    print(`${e.node}: ${e.phase}${e.message ? ` (${e.message})` : ''}`);
  };
}

/** Runs `work` with a signal that Ctrl-C aborts (nodes not started are cancelled, running ones stop). */
export async function withSigint<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const cancel = new AbortController();
  const onSigint = (): void => cancel.abort();
  process.once('SIGINT', onSigint);
  try {
    return await work(cancel.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
