import type { Command } from './command.ts';

/**
 * Every CLI command, by group. A concern adds its commands in its own file and one line here. Groups
 * load on demand (a dynamic import stays lazy in the bundle), so `node list` never initializes ssh2
 * or the PKCS#12 code; the build writes the groups' words and usage to a manifest for routing and help.
 */
export const COMMAND_GROUPS = {
  ca: async () => (await import('./commands/ca.ts')).caCommands,
  caRoot: async () => (await import('./commands/ca-root.ts')).caRootCommands,
  node: async () => (await import('./commands/node.ts')).nodeCommands,
  nodeView: async () => (await import('./commands/node-view.ts')).nodeViewCommands,
  issue: async () => (await import('./commands/issue.ts')).issueCommands,
  bundle: async () => (await import('./commands/bundle.ts')).bundleCommands,
  inspect: async () => (await import('./commands/inspect.ts')).inspectCommands,
  status: async () => (await import('./commands/status.ts')).statusCommands,
  lifecycle: async () => (await import('./commands/lifecycle.ts')).lifecycleCommands,
  config: async () => (await import('./commands/config.ts')).configCommands,
  trust: async () => (await import('./commands/trust.ts')).trustCommands,
  push: async () => (await import('./commands/push.ts')).pushCommands,
  sshKey: async () => (await import('./commands/ssh-key.ts')).sshKeyCommands,
} satisfies Record<string, () => Promise<Command[]>>;

export type CommandGroup = keyof typeof COMMAND_GROUPS;

export function isCommandGroup(name: string): name is CommandGroup {
  return Object.hasOwn(COMMAND_GROUPS, name);
}

/** The commands of the given groups (default: all), in registry order. */
export async function loadCommands(groups: readonly CommandGroup[] = Object.keys(COMMAND_GROUPS) as CommandGroup[]): Promise<Array<{ group: CommandGroup; command: Command }>> {
  const loaded = await Promise.all(groups.map(async (group) => (await COMMAND_GROUPS[group]()).map((command) => ({ group, command }))));
  return loaded.flat();
}
