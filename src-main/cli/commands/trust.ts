import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { invalid } from '../../errors.ts';
import { formatFingerprint } from '../../pki/inspect.ts';
import { parseTrustedCa, STORE_KINDS, type StoreKind, type StoreResult, type TrustOptions } from '../../truststore/index.ts';
import { posixCommand } from '../../truststore/shell.ts';
import { many, one, type OptionSpec, type ParsedArgs } from '../args.ts';
import { table } from '../format.ts';
import type { Command, CommandResult } from '../command.ts';
import { activeTrustStatus, changeTrust } from '../../lifecycle/untrust.ts';

const STORE_OPTIONS: OptionSpec[] = [
  { name: 'store', value: true, repeat: true },
  { name: 'nss-db', value: true, repeat: true },
  { name: 'java-keystore', value: true },
];
const CHANGE_OPTIONS: OptionSpec[] = [...STORE_OPTIONS, { name: 'dry-run' }];
const STORE_USAGE = `[--store ${STORE_KINDS.join('|')}]... [--nss-db DIR]... [--java-keystore FILE]`;

function optionsFrom(args: ParsedArgs): Omit<TrustOptions, 'caFile' | 'name'> {
  const stores = many(args, 'store');
  for (const s of stores) if (!STORE_KINDS.includes(s as StoreKind)) throw invalid(`unknown --store "${s}"; use ${STORE_KINDS.join(', ')}`);
  const nssDbs = many(args, 'nss-db');
  const javaKeystore = one(args, 'java-keystore');
  return {
    stores: stores as StoreKind[],
    dryRun: args.flags.has('dry-run'),
    ...(nssDbs.length > 0 ? { nssDbs: nssDbs.map((d) => resolve(d.startsWith('sql:') ? d.slice(4) : d)) } : {}),
    ...(javaKeystore ? { javaKeystore } : {}),
  };
}

function caLine(pem: string): string {
  const ca = parseTrustedCa(pem);
  return `CA ${ca.subject} (SHA-256 ${formatFingerprint(ca.sha256)})`;
}

function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}

/** `~/x` for a path under HOME: what people recognise. */
function homeRelative(path: string): string {
  const home = process.env.HOME ?? homedir();
  return home && home !== '/' && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

/** One line per database a store found, with its browser: which ones hold the CA. */
function databaseLines(results: StoreResult[]): string[] {
  const dbs = results.flatMap((r) => r.databases ?? []);
  if (dbs.length === 0) return [];
  const cells = dbs.map((d) => [`${d.browser}: ${homeRelative(d.path)}`, d.trusted ? 'trusted' : d.toCreate ? 'not created yet (install creates it)' : 'not trusted']);
  const width = Math.max(...cells.map((c) => c[0]!.length));
  return ['', 'Browser databases:', ...cells.map(([where, state]) => `  ${where!.padEnd(width)}  ${state}`)];
}

function statusOutput(pem: string, results: StoreResult[]): CommandResult {
  const rows = results.map((r) => [r.store, r.kind, yesNo(r.present), r.present && !r.missingTool && !r.error ? yesNo(r.installed) : '-', r.nameConstraints.enforced ? 'enforced' : 'NOT enforced', r.message]);
  const limits = [...new Map(results.map((r) => [r.nameConstraints.note, r])).values()].map((r) => `  ${r.store}: ${r.nameConstraints.note}`);
  return {
    human: [caLine(pem), table(['STORE', 'KIND', 'PRESENT', 'TRUSTED', 'NAME LIMITS', 'DETAILS'], rows), ...(limits.length ? ['name constraints:', ...limits] : []), ...databaseLines(results)].join('\n'),
    json: results,
    exitCode: results.some((r) => r.error) ? 1 : 0,
  };
}

function changeOutput(pem: string, results: StoreResult[], dryRun: boolean): CommandResult {
  const lines = [caLine(pem)];
  if (results.length === 0) lines.push('no trust store found on this machine');
  for (const r of results) {
    lines.push(`${r.store} (${r.title}): ${r.error ? `error: ${r.message}` : r.message}`);
    if (r.commands.length > 0) {
      if (dryRun) lines.push(`  would run${r.elevated ? ' as administrator (one prompt)' : ''}:`);
      else if (r.elevated) lines.push('  ran as administrator:');
      for (const argv of r.commands) lines.push(`  $ ${posixCommand(argv)}`);
    }
    if (r.missingTool) lines.push(`  missing: ${r.missingTool.tool} (install ${r.missingTool.package})`);
  }
  return { human: lines.join('\n'), json: results, exitCode: results.some((r) => r.error) ? 1 : 0 };
}

/** `trust install` and `trust uninstall`: the same options, audit and output around one store change. */
function changeCommand(action: 'install' | 'uninstall', summary: string): Command {
  return {
    words: ['trust', action],
    usage: `trust ${action} ${STORE_USAGE} [--dry-run]`,
    summary,
    options: CHANGE_OPTIONS,
    async run(ctx, args) {
      const opts = optionsFrom(args);
      const { ca, results } = await changeTrust(ctx, action, opts);
      return changeOutput(ca.pem, results, opts.dryRun === true);
    },
  };
}

export const trustCommands: Command[] = [
  {
    words: ['trust', 'status'],
    usage: `trust status ${STORE_USAGE}`,
    summary: 'which trust stores exist here, which hold the CA (matched by SHA-256), which tool is missing',
    options: STORE_OPTIONS,
    async run(ctx, args) {
      const { ca, results } = await activeTrustStatus(ctx, optionsFrom(args));
      return statusOutput(ca.pem, results);
    },
  },
  changeCommand('install', 'trust the CA in this machine\'s stores (all found here without --store); asks the OS for administrator rights when needed'),
  changeCommand('uninstall', 'remove the CA (found by fingerprint) from this machine\'s stores'),
];
