import { addNodes, editNode, findNode, certHistory, type NodeInput } from '../../core/nodes.ts';
import { removeNode } from '../../lifecycle/remove-node.ts';
import { summarizeNodes } from '../../core/status.ts';
import { sharedIpWarnings } from '../../core/shared-ips.ts';
import { importNodes, ansibleInventory, IMPORT_FORMATS, type ImportFormat } from '../../core/node-import.ts';
import { writeFileAtomic } from '../../vault/atomic.ts';
import { readInputFile } from '../input-files.ts';
import { getProfile, profileIds, verifyPortOf } from '../../profiles/index.ts';
import { invalid } from '../../errors.ts';
import { intOption, many, one, type OptionSpec, type ParsedArgs } from '../args.ts';
import { kv, table } from '../format.ts';
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

function singleName(args: ParsedArgs, usage: string): string {
  if (args.positionals.length !== 1) throw invalid(`usage: cluster-trust ${usage}`);
  return args.positionals[0]!;
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
    words: ['node', 'list'],
    usage: 'node list',
    summary: 'list nodes with their certificate state',
    async run(ctx) {
      const now = ctx.now();
      const rows = summarizeNodes(ctx.vault.read(), now);
      return {
        human: rows.length === 0 ? 'no nodes yet: add one with `cluster-trust node add NAME --ip A`' : table(
          ['NAME', 'PROFILE', 'ADDRESSES', 'STATE', 'DAYS', 'SERIAL'],
          rows.map((r) => [r.node.name, r.node.profile, [...r.node.dns, ...r.node.ips].join(','), r.state, r.daysLeft?.toString() ?? '-', r.cert?.serial ?? '-']),
        ),
        json: rows.map((r) => ({ ...r.node, state: r.state, daysLeft: r.daysLeft ?? null, serial: r.cert?.serial ?? null, notAfter: r.cert?.notAfter ?? null })),
      };
    },
  },
  {
    words: ['node', 'show'],
    usage: 'node show NAME',
    summary: 'show a node and the history of its certificates',
    async run(ctx, args) {
      const inv = ctx.vault.read();
      const node = findNode(inv, singleName(args, this.usage));
      const history = certHistory(inv, node.name);
      const human = [
        kv([
          ['node', node.name],
          ['profile', node.profile],
          ['DNS', node.dns.join(', ') || '-'],
          ['IP', node.ips.join(', ') || '-'],
          ['usage', [node.server && 'serverAuth', node.client && 'clientAuth'].filter(Boolean).join(', ')],
          ['ssh', node.ssh ? `${node.ssh.user}@${node.ssh.host}:${node.ssh.port}` : '-'],
          ['key made on', node.keyOnNode ? 'the node (over SSH; the vault never holds it)' : 'this machine (sealed in the vault)'],
          ...(node.ssh ? ([
            ['ssh key', node.ssh.keyFile ?? 'ssh-agent or ~/.ssh/id_*'],
            ['destination', node.dest ?? `${getProfile(node.profile).defaultDest} (profile default)`],
            ['owner', node.owner ?? 'the SSH user'],
            ['trust CA on node', node.trustCa ? 'yes, at every push' : 'no'],
            ['restart', node.restart ?? '-'],
            ['verify port', verifyPortOf(node)?.toString() ?? '-'],
          ] as Array<[string, string]>) : []),
        ]),
        '',
        history.length ? table(['SERIAL', 'STATUS', 'NOT AFTER', 'SHA-256'], history.map((c) => [c.serial, c.status, c.notAfter, c.fingerprint])) : 'no certificates issued yet',
      ].join('\n');
      return { human, json: { node, certificates: history } };
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
