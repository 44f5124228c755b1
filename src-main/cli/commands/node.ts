import { addNodes, editNode, type NodeInput } from '../../core/nodes.ts';
import { removeNode } from '../../lifecycle/remove-node.ts';
import { sharedIpWarnings } from '../../core/shared-ips.ts';
import { setSshSettings } from '../../core/ssh-settings.ts';
import { importNodes, ansibleInventory, IMPORT_FORMATS, type ImportFormat } from '../../core/node-import.ts';
import { writeFileAtomic } from '../../vault/atomic.ts';
import { readInputFile } from '../input-files.ts';
import { profileIds } from '../../profiles/index.ts';
import { invalid } from '../../errors.ts';
import { intOption, many, one, singleName, type OptionSpec, type ParsedArgs } from '../args.ts';
import type { Command } from '../command.ts';

const NODE_OPTIONS: OptionSpec[] = [
  { name: 'dns', value: true, repeat: true },
  { name: 'ip', value: true, repeat: true },
  { name: 'client' },
  { name: 'server' },
  { name: 'profile', value: true },
  { name: 'key', value: true },
  { name: 'ssh', value: true },
  { name: 'ssh-key', value: true },
  { name: 'dest', value: true },
  { name: 'restart', value: true },
  { name: 'verify-port', value: true },
  { name: 'owner', value: true },
  { name: 'trust-ca' },
  { name: 'no-trust-ca' },
  { name: 'key-on-node' },
  { name: 'no-key-on-node' },
  { name: 'set', value: true, repeat: true },
];

function nodeInput(name: string, args: ParsedArgs, editing: boolean): NodeInput {
  const options: Record<string, string> = {};
  for (const pair of many(args, 'set')) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw invalid(`--set takes KEY=VALUE (got "${pair}")`);
    options[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const eku = args.flags.has('client') || args.flags.has('server');
  return {
    name,
    ...(args.options.has('dns') || !editing ? { dns: many(args, 'dns') } : {}),
    ...(args.options.has('ip') || !editing ? { ips: many(args, 'ip') } : {}),
    ...(eku ? { client: args.flags.has('client'), server: args.flags.has('server') } : {}),
    profile: one(args, 'profile'),
    keyType: one(args, 'key'),
    ssh: one(args, 'ssh'),
    sshKey: one(args, 'ssh-key'),
    dest: one(args, 'dest'),
    restart: one(args, 'restart'),
    // '' (e.g. --verify-port '') goes back to the profile's port, like '' clears the other push settings.
    verifyPort: one(args, 'verify-port')?.trim() === '' ? null : intOption(args, 'verify-port'),
    owner: one(args, 'owner'),
    trustCa: onOffFlag(args, 'trust-ca'),
    keyOnNode: onOffFlag(args, 'key-on-node'),
    options,
  };
}

/** `--NAME` / `--no-NAME`: true, false, or undefined (keep the previous setting). */
function onOffFlag(args: ParsedArgs, name: string): boolean | undefined {
  const on = args.flags.has(name);
  const off = args.flags.has(`no-${name}`);
  if (on && off) throw invalid(`give --${name} or --no-${name}, not both`);
  return on ? true : off ? false : undefined;
}

/** Shared addresses are named, never refused (an HA pair's virtual IP is on both nodes). */
function warningLines(warnings: string[]): string {
  return warnings.map((w) => `\nwarning: ${w}`).join('');
}

export const nodeCommands: Command[] = [
  {
    words: ['node', 'import'],
    usage: `node import FILE [--format ${IMPORT_FORMATS.join('|')}] [--profile ID] [--dry-run]`,
    summary: 'add every node of a list (one a line: name, IPs and DNS names, profile=ID; # comments) or an Ansible inventory (INI or YAML); all or nothing, each bad line named',
    options: [{ name: 'format', value: true }, { name: 'profile', value: true }, { name: 'dry-run' }],
    async run(ctx, args) {
      const file = singleName(args, this.usage);
      const result = await importNodes(ctx, readInputFile(file, 'node list'), { format: one(args, 'format') as ImportFormat | undefined, profile: one(args, 'profile'), dryRun: args.flags.has('dry-run') });
      const n = result.nodes.length;
      return {
        human: `${result.dryRun ? 'would add' : 'added'} ${n} node${n === 1 ? '' : 's'} from ${file}${result.dryRun ? ' (dry run: nothing changed)' : ''}${warningLines(result.warnings)}`,
        json: { dryRun: result.dryRun, added: result.nodes.map((r) => r.name), nodes: result.nodes, warnings: result.warnings },
      };
    },
  },
  {
    words: ['node', 'export'],
    usage: 'node export --format ansible [--out FILE]',
    summary: 'write the nodes as an Ansible YAML inventory (a group per profile, ansible_host/user/port from the SSH target)',
    options: [{ name: 'format', value: true }, { name: 'out', value: true }],
    async run(ctx, args) {
      const format = one(args, 'format');
      if (format !== 'ansible') throw invalid('node export needs --format ansible');
      const text = ansibleInventory(ctx.vault.read());
      const out = one(args, 'out');
      if (!out) return { human: text.trimEnd(), json: { format, inventory: text } };
      writeFileAtomic(out, text, 0o644);
      return { human: `wrote ${ctx.vault.read().nodes.length} nodes to ${out}`, json: { format, path: out } };
    },
  },
  {
    words: ['node', 'add'],
    usage: `node add NAME [--dns D]... [--ip A]... [--client] [--server] [--profile ${profileIds().join('|')}] [--key TYPE] [--ssh user@host[:port]] [--ssh-key FILE] [--dest DIR] [--restart CMD] [--verify-port PORT] [--owner USER[:GROUP]] [--trust-ca] [--key-on-node] [--set KEY=VALUE]...`,
    summary: 'add a node to the inventory',
    options: NODE_OPTIONS,
    async run(ctx, args) {
      const [node] = await addNodes(ctx, [nodeInput(singleName(args, this.usage), args, false)]);
      const warnings = sharedIpWarnings(ctx.vault.read().nodes, [node!.name]);
      return { human: `added node ${node!.name} (${[...node!.dns, ...node!.ips].join(', ') || 'loopback only'})${warningLines(warnings)}`, json: warnings.length ? { ...node!, warnings } : node };
    },
  },
  {
    words: ['node', 'edit'],
    usage: 'node edit NAME [same options as node add]',
    summary: "change a node; given lists replace the old ones; '' clears a push setting (--ssh '', --owner '', ...)",
    options: NODE_OPTIONS,
    async run(ctx, args) {
      const node = await editNode(ctx, nodeInput(singleName(args, this.usage), args, true));
      const warnings = sharedIpWarnings(ctx.vault.read().nodes, [node.name]);
      return { human: `updated node ${node.name}${warningLines(warnings)}`, json: warnings.length ? { ...node, warnings } : node };
    },
  },
  {
    words: ['node', 'ssh-settings'],
    usage: "node ssh-settings NAME... [--user USER] [--ssh-key FILE] [--dest DIR]",
    summary: "set the SSH user (each node keeps its host and port), key file and destination folder of many nodes at once; '' clears a key or folder",
    options: [{ name: 'user', value: true }, { name: 'ssh-key', value: true }, { name: 'dest', value: true }],
    async run(ctx, args) {
      if (args.positionals.length === 0) throw invalid(`usage: cluster-trust ${this.usage}`);
      const user = one(args, 'user');
      const keyFile = one(args, 'ssh-key');
      const dest = one(args, 'dest');
      const nodes = await setSshSettings(ctx, args.positionals, { ...(user !== undefined ? { user } : {}), ...(keyFile !== undefined ? { keyFile } : {}), ...(dest !== undefined ? { dest } : {}) });
      return { human: `updated the SSH settings of ${nodes.map((n) => n.name).join(', ')}`, json: nodes };
    },
  },
  {
    words: ['node', 'remove'],
    usage: 'node remove NAME [--revoke | --keep-cert]',
    summary: 'remove a node (its certificates stay in history); a live certificate needs --revoke or --keep-cert',
    options: [{ name: 'revoke' }, { name: 'keep-cert' }],
    async run(ctx, args) {
      const name = singleName(args, this.usage);
      if (args.flags.has('revoke') && args.flags.has('keep-cert')) throw invalid('choose --revoke or --keep-cert, not both');
      const choice = args.flags.has('revoke') ? 'revoke' : args.flags.has('keep-cert') ? 'keep' : undefined;
      const r = await removeNode(ctx, name, choice ? { cert: choice } : {});
      const tail = !r.cert ? '' : r.cert.revoked ? `; revoked its certificate ${r.cert.serial} (CRL number ${r.crlNumber}: redeploy it with \`cluster-trust crl --out FILE\`)` : `; its certificate ${r.cert.serial} stays valid until ${r.cert.notAfter}`;
      return { human: `removed node ${name}${tail}`, json: { removed: name, cert: r.cert, crlNumber: r.crlNumber } };
    },
  },
];
