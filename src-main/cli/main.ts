import { COMMANDS } from './registry.ts';
import { GLOBAL_OPTIONS, one, parseArgs } from './args.ts';
import { createContext } from '../core/context.ts';
import { terminalCaPassphrase } from './ca-passphrase-prompt.ts';
import { findInterruptedRestore, interruptedRestoreError } from '../lifecycle/restore-recovery.ts';
import { toUserError, invalid } from '../core/errors.ts';
import { jsonText, printable, printableLine } from './format.ts';
import type { Command } from './command.ts';

export interface CliStreams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Leading words once global options (and their values) are set aside: `--home X ca init` -> ca, init. */
function leadingWords(argv: string[]): Array<{ word: string; index: number }> {
  const valued = new Set(GLOBAL_OPTIONS.filter((o) => o.value).map((o) => `--${o.name}`));
  const words: Array<{ word: string; index: number }> = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (valued.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) {
      if ([...valued].some((v) => a.startsWith(`${v}=`)) || a === '--json' || a === '--help') continue;
      break;
    }
    words.push({ word: a, index: i });
  }
  return words;
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | null {
  const words = leadingWords(argv);
  let best: Command | null = null;
  for (const c of COMMANDS) {
    if (c.words.every((w, i) => words[i]?.word === w) && (!best || c.words.length > best.words.length)) best = c;
  }
  if (!best) return null;
  const drop = new Set(words.slice(0, best.words.length).map((w) => w.index));
  return { command: best, rest: argv.filter((_, i) => !drop.has(i)) };
}

export function usage(): string {
  const lines = COMMANDS.map((c) => `  ${c.usage}\n      ${c.summary}`);
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

/** Runs one CLI invocation; returns the exit code. Errors are one line on stderr, never a stack. */
export async function runCli(argv: string[], streams: CliStreams): Promise<number> {
  let json = argv.includes('--json');
  try {
    if (argv.length === 0 || argv[0] === 'help' || (argv.includes('--help') && !findCommand(argv))) {
      streams.stdout(`${usage()}\n`);
      return 0;
    }
    const found = findCommand(argv);
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
    if (json) streams.stdout(`${jsonText(result.json)}\n`);
    else if (result.human) streams.stdout(`${printable(result.human)}\n`);
    return result.exitCode ?? 0;
  } catch (err) {
    const e = toUserError(err);
    if (json) streams.stdout(`${jsonText({ error: { code: e.code, message: e.message } }, 0)}\n`);
    streams.stderr(`cluster-trust: ${printableLine(e.message)}\n`);
    return e.code === 'internal' ? 70 : 1;
  }
}
