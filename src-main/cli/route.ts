import { GLOBAL_OPTIONS } from './args.ts';

/** Leading words once global options (and their values) are set aside: `--home X ca init` -> ca, init. */
export function leadingWords(argv: string[]): Array<{ word: string; index: number }> {
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

/** The command whose words match the most leading words (the first such), and argv without them. */
export function findCommand<C extends { words: string[] }>(argv: string[], commands: readonly C[]): { command: C; rest: string[] } | null {
  const words = leadingWords(argv);
  let best: C | null = null;
  for (const c of commands) {
    if (c.words.every((w, i) => words[i]?.word === w) && (!best || c.words.length > best.words.length)) best = c;
  }
  if (!best) return null;
  const drop = new Set(words.slice(0, best.words.length).map((w) => w.index));
  return { command: best, rest: argv.filter((_, i) => !drop.has(i)) };
}

/** `cluster-trust`, `cluster-trust help`, or `--help` without a command. */
export function wantsUsage(argv: string[], hasCommand: boolean): boolean {
  return argv.length === 0 || argv[0] === 'help' || (argv.includes('--help') && !hasCommand);
}
