import { isCommandGroup, loadCommands, type CommandGroup } from './registry.ts';
import { runCliWith, usage, type CliStreams } from './run.ts';

export { usage, type CliStreams } from './run.ts';

/** What the build writes to dist/cli-manifest.json: help, and which group each command is in. */
export interface CliManifest {
  usage: string;
  commands: Array<{ words: string[]; group: CommandGroup }>;
  /** Groups the build also bundled alone (src-main/cli/groups/), loaded instead of the whole command bundle. */
  ownBundles?: string[];
}

export async function cliManifest(): Promise<CliManifest> {
  const all = await loadCommands();
  return { usage: usage(all.map((c) => c.command)), commands: all.map((c) => ({ words: c.command.words, group: c.group })) };
}

/**
 * Runs one CLI invocation; returns the exit code. `group`, when the entry already routed the
 * words, loads only that group's commands.
 */
export function runCli(argv: string[], streams: CliStreams, opts: { group?: string } = {}): Promise<number> {
  return runCliWith(argv, streams, async () => (await loadCommands(opts.group && isCommandGroup(opts.group) ? [opts.group] : undefined)).map((c) => c.command));
}
