import { GLOBAL_OPTIONS, one, parseArgs } from './args.ts';
import { findCommand, leadingWords, wantsUsage } from './route.ts';
import { createContext } from '../core/context.ts';
import { terminalCaPassphrase } from './ca-passphrase-prompt.ts';
import { findInterruptedRestore, interruptedRestoreError } from '../lifecycle/restore-recovery.ts';
import { toUserError, invalid } from '../errors.ts';
import { jsonText, printable, printableLine } from './format.ts';
import type { Command } from './command.ts';

export interface CliStreams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** `--json` is indented for a person at a terminal and compact for a program reading a pipe or file. */
  stdoutIsTerminal?: boolean;
}

export function usage(commands: readonly Command[]): string {
  const lines = commands.map((c) => `  ${c.usage}\n      ${c.summary}`);
  return [
    'usage: cluster-trust [--home DIR] [--json] [--passphrase-file FILE] COMMAND ...',
    '',
    'Global options may also follow the command. The vault is --home, else $CLUSTER_TRUST_HOME, else the',
    'desktop app\'s own folder. Passphrases come from the OS keychain unless --passphrase-file (or',
    '$CLUSTER_TRUST_PASSPHRASE_FILE) names a file.',
    '',
    'commands:',
    ...lines,
  ].join('\n');
}

/** Runs one CLI invocation with the commands `load` gives; returns the exit code. Errors are one line on stderr, never a stack. */
export async function runCliWith(argv: string[], streams: CliStreams, load: () => Promise<readonly Command[]>): Promise<number> {
  let json = argv.includes('--json');
  try {
    const commands = await load();
    if (wantsUsage(argv, findCommand(argv, commands) !== null)) {
      streams.stdout(`${usage(commands)}\n`);
      return 0;
    }
    const found = findCommand(argv, commands);
    if (!found) throw invalid(`unknown command "${leadingWords(argv).slice(0, 2).map((w) => w.word).join(' ')}"; run \`cluster-trust help\``);
    const { command, rest } = found;
    const args = parseArgs(rest, [...GLOBAL_OPTIONS, ...(command.options ?? [])]);
    json = args.flags.has('json');
    if (args.flags.has('help')) {
      streams.stdout(`usage: cluster-trust ${command.usage}\n  ${command.summary}\n`);
      return 0;
    }
    const ctx = createContext({ home: one(args, 'home'), passphraseFile: one(args, 'passphrase-file'), askPassphrase: terminalCaPassphrase() });
    // A half-done restore leaves no vault: say so (and how to finish it) instead of "run ca init".
    const interrupted = command.words[0] === 'restore' ? null : findInterruptedRestore(ctx.vault.home);
    if (interrupted) throw interruptedRestoreError(interrupted);
    // Every human line passes through printable(): names and subjects can carry terminal escapes.
    const result = await command.run(ctx, args, { json, progress: (line) => { if (!json) streams.stderr(`${printable(line)}\n`); } });
    if (json) streams.stdout(`${jsonText(result.json, streams.stdoutIsTerminal ? 2 : 0)}\n`);
    else if (result.human) streams.stdout(`${printable(result.human)}\n`);
    return result.exitCode ?? 0;
  } catch (err) {
    const e = toUserError(err);
    if (json) streams.stdout(`${jsonText({ error: { code: e.code, message: e.message } }, 0)}\n`);
    streams.stderr(`cluster-trust: ${printableLine(e.message)}\n`);
    return e.code === 'internal' ? 70 : 1;
  }
}
