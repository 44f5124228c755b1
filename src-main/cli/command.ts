import type { OptionSpec, ParsedArgs } from './args.ts';
import type { CoreContext } from '../core/context.ts';

export interface CommandResult {
  /** What a person reads (stdout). */
  human: string;
  /** What `--json` prints instead. */
  json: unknown;
  /** Non-zero without being an error: "something is due", "a node failed". */
  exitCode?: number;
}

export interface CliIo {
  /** Progress lines for people; silent under --json. */
  progress(line: string): void;
  json: boolean;
}

export interface Command {
  /** The words that name it: ['ca', 'init']. */
  words: string[];
  usage: string;
  summary: string;
  options?: OptionSpec[];
  run(ctx: CoreContext, args: ParsedArgs, io: CliIo): Promise<CommandResult>;
}
