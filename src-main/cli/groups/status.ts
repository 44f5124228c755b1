// A bundle of its own (dist/cli-group-status.cjs): `status` runs from cron and monitoring checks,
// so it loads only what it uses instead of the whole command bundle.
import { runCliWith, type CliStreams } from '../run.ts';
import { statusCommands } from '../commands/status.ts';

export const runGroup = (argv: string[], streams: CliStreams): Promise<number> => runCliWith(argv, streams, async () => statusCommands);
