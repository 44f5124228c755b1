import { invalid } from '../errors.ts';

export interface OptionSpec {
  /** Long name without dashes. */
  name: string;
  /** Takes a value (`--days 30`, `--days=30`); otherwise a flag. */
  value?: boolean;
  /** May be given more than once; values collect into an array. */
  repeat?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string[]>;
  flags: Set<string>;
}

/** Global options are accepted anywhere on the line, before or after the command. */
export const GLOBAL_OPTIONS: OptionSpec[] = [
  { name: 'home', value: true },
  { name: 'passphrase-file', value: true },
  { name: 'json' },
  { name: 'help' },
];

export function parseArgs(argv: string[], specs: OptionSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: ParsedArgs = { positionals: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') throw invalid(`unknown option ${arg} (options are spelled --name)`);
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw invalid(`unknown option --${name}`);
    if (!spec.value) {
      if (eq !== -1) throw invalid(`--${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw invalid(`--${name} needs a value`);
    const list = out.options.get(name) ?? [];
    if (list.length > 0 && !spec.repeat) throw invalid(`--${name} was given more than once`);
    list.push(value);
    out.options.set(name, list);
  }
  return out;
}

export function one(args: ParsedArgs, name: string): string | undefined {
  return args.options.get(name)?.[0];
}

export function many(args: ParsedArgs, name: string): string[] {
  return args.options.get(name) ?? [];
}

export function intOption(args: ParsedArgs, name: string): number | undefined {
  const raw = one(args, name);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw invalid(`--${name} must be a whole number (got "${raw}")`);
  return Number(raw);
}

/** The one NAME a command takes, else its usage as the error. */
export function singleName(args: ParsedArgs, usage: string): string {
  if (args.positionals.length !== 1) throw invalid(`usage: cluster-trust ${usage}`);
  return args.positionals[0]!;
}
