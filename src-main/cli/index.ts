// The `cluster-trust` entry: a few kilobytes that print help from the manifest the build wrote and
// otherwise load the command bundle (through V8's code cache) with the one command group the words
// name. Everything heavy (the vault, PKI, ssh2) lives in that bundle and loads only on use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findCommand, wantsUsage } from './route.ts';
import { requireWithCodeCache } from './code-cache.ts';
import type { CliManifest, CliStreams } from './main.ts';

declare const __dirname: string;

// A reader that went away (`cluster-trust node list | head`) is not an error of ours: the rest of
// the output is dropped, and the command still finishes what it started (a vault write included).
const dropWhenClosed = (err: NodeJS.ErrnoException): void => {
  if (err.code !== 'EPIPE') throw err;
};
process.stdout.on('error', dropWhenClosed);
process.stderr.on('error', dropWhenClosed);

const streams: CliStreams = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdoutIsTerminal: process.stdout.isTTY === true,
};

function readManifest(): CliManifest | null {
  try {
    return JSON.parse(readFileSync(join(__dirname, 'cli-manifest.json'), 'utf8')) as CliManifest;
  } catch {
    return null; // no manifest: the command bundle routes by itself
  }
}

async function main(argv: string[]): Promise<number> {
  const manifest = readManifest();
  const found = manifest ? findCommand(argv, manifest.commands) : null;
  if (manifest && wantsUsage(argv, found !== null)) {
    streams.stdout(`${manifest.usage}\n`);
    return 0;
  }
  const group = found?.command.group;
  // Each command group's cache is written as the process exits, so it holds every function that
  // command compiled, not only the bundle's top level (measured: `issue NAME` 178 -> 161 ms).
  const cacheOpts = { variant: group ?? '', writeWhen: (write: () => void) => process.once('exit', write) };
  if (group && manifest?.ownBundles?.includes(group)) {
    const { runGroup } = requireWithCodeCache(join(__dirname, `cli-group-${group}.cjs`), cacheOpts) as typeof import('./groups/status.ts');
    return runGroup(argv, streams);
  }
  const { runCli } = requireWithCodeCache(join(__dirname, 'cli-main.cjs'), cacheOpts) as typeof import('./main.ts');
  return runCli(argv, streams, group ? { group } : {});
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Only a broken install gets here (the command bundle reports its own errors).
    process.stderr.write(`cluster-trust: cannot start: ${(err as Error).message.split('\n')[0]}; run \`npm run build\`\n`);
    process.exitCode = 70;
  },
);
