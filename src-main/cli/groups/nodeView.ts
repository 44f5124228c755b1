// A bundle of its own (dist/cli-group-nodeView.cjs): `node list` and `node show` are the reads that
// scripts run most, so they load only the vault and the views, not the whole command bundle.
import { runCliWith, type CliStreams } from '../run.ts';
import { nodeViewCommands } from '../commands/node-view.ts';

export const runGroup = (argv: string[], streams: CliStreams): Promise<number> => runCliWith(argv, streams, async () => nodeViewCommands);
