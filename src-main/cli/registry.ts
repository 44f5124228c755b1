import type { Command } from './command.ts';
import { caCommands } from './commands/ca.ts';
import { nodeCommands } from './commands/node.ts';
import { issueCommands } from './commands/issue.ts';
import { bundleCommands } from './commands/bundle.ts';
import { inspectCommands } from './commands/inspect.ts';
import { lifecycleCommands } from './commands/lifecycle.ts';
import { configCommands } from './commands/config.ts';
import { trustCommands } from './commands/trust.ts';
import { pushCommands } from './commands/push.ts';
import { sshKeyCommands } from './commands/ssh-key.ts';

/** Every CLI command. A concern adds its commands in its own file and one line here. */
export const COMMANDS: Command[] = [...caCommands, ...nodeCommands, ...issueCommands, ...bundleCommands, ...inspectCommands, ...lifecycleCommands, ...configCommands, ...trustCommands, ...pushCommands, ...sshKeyCommands];
