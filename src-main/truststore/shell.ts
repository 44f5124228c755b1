import { invalid } from '../errors.ts';

/** One argument for a POSIX shell: plain words stay readable, anything else is single-quoted. */
export function posixQuote(arg: string): string {
  if (arg.includes('\0')) throw invalid('a command argument holds a NUL byte');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function posixCommand(argv: string[]): string {
  return argv.map(posixQuote).join(' ');
}

/** Marker a batch prints before exiting, so we can say which command failed. */
export const STEP_FAILED = 'cluster-trust: step failed:';

/**
 * One store's commands as one POSIX script (one administrator prompt): each runs in order and the
 * first failure stops the batch, naming its step.
 */
export function posixBatch(commands: string[][]): string {
  return commands.map((argv, i) => `${posixCommand(argv)} || { echo '${STEP_FAILED} ${i}' >&2; exit 1; }`).join('\n');
}

/**
 * sudo-prompt on Linux runs our text inside `/bin/bash -c "..."` and escapes only the double quotes,
 * so `$`, backquotes and backslashes would be expanded by that outer shell. Escape them so bash
 * receives exactly our script.
 */
export function forDoubleQuotedShell(script: string): string {
  return script.replace(/[\\$`]/g, (c) => `\\${c}`);
}

/** One argument for cmd.exe batch files (what sudo-prompt runs on Windows). */
export function cmdQuote(arg: string): string {
  if (/["\r\n\0]/.test(arg)) throw invalid(`cannot pass ${JSON.stringify(arg)} to a Windows command (quotes and line breaks are not allowed)`);
  if (/^[A-Za-z0-9_\-.:\\/]+$/.test(arg)) return arg;
  return `"${arg.replace(/%/g, '%%')}"`;
}

/** One store's commands for cmd.exe: stop at the first failure. */
export function cmdBatch(commands: string[][]): string {
  return commands.map((argv) => argv.map(cmdQuote).join(' ')).join(' && ');
}
