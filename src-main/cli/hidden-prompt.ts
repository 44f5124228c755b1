import { printable } from './format.ts';

/**
 * Reads one line from the terminal without echoing it, for an SSH key's passphrase. Resolves null
 * when the user gives up (Ctrl-D on an empty line, or Ctrl-C, which also interrupts the command as
 * Ctrl-C does anywhere else). Only for a real terminal: callers check `isTerminal()` first.
 */

export function isTerminal(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

export function askHidden(question: string): Promise<string | null> {
  const input = process.stdin;
  return new Promise((resolve) => {
    let typed = '';
    const finish = (answer: string | null, interrupted = false): void => {
      input.removeListener('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      resolve(answer);
      if (interrupted) process.kill(process.pid, 'SIGINT');
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(typed);
        if (ch === '\u0003') return finish(null, true);
        if (ch === '\u0004') {
          if (typed === '') return finish(null);
          continue;
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch >= ' ') typed += ch;
      }
    };
    // Echo off before the prompt shows: what is typed as soon as it appears is never echoed.
    input.setRawMode(true);
    process.stderr.write(printable(question));
    input.resume();
    input.on('data', onData);
  });
}
