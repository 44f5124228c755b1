import { yaml } from '../libs/yaml.ts';
import { PROFILES, profileIds } from '../profiles/index.ts';
import { addNodes, buildNodeRecord } from './nodes.ts';
import { parseNodeLinesFile, type ImportEntry, type ImportProblem } from './import-lines.ts';
import { parseAnsibleInventory } from './import-ansible.ts';
import { nodeKeyOf } from './inventory-index.ts';
import { sharedIpWarnings } from './shared-ips.ts';
import { invalid } from '../errors.ts';
import type { CoreContext } from './context.ts';
import type { Inventory, NodeRecord } from '../vault/schema.ts';

export const IMPORT_FORMATS = ['lines', 'ansible'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportOptions {
  format?: ImportFormat;
  /** The profile of entries that name none (a line's profile=, an Ansible group). */
  profile?: string;
  /** Check everything, change nothing. */
  dryRun?: boolean;
}

export interface ImportResult {
  nodes: NodeRecord[];
  dryRun: boolean;
  /** Addresses the new nodes share with each other or with nodes already there (not refused: shared VIPs exist). */
  warnings: string[];
}

/** Shown at most this many bad lines in the error, then how many more. */
const MAX_LISTED = 20;

function problemsError(problems: ImportProblem[]): Error {
  const sorted = [...problems].sort((a, b) => a.line - b.line);
  const listed = sorted.slice(0, MAX_LISTED).map((p) => `line ${p.line}: ${p.why}`);
  const more = sorted.length > MAX_LISTED ? `; and ${sorted.length - MAX_LISTED} more` : '';
  return invalid(`${sorted.length} bad line${sorted.length === 1 ? '' : 's'}, nothing imported: ${listed.join('; ')}${more}`);
}

/**
 * Adds every node of a list or an Ansible inventory in one transaction, or none: each bad line is
 * named with its number and why (names, addresses, profiles and settings checked as `node add` does).
 */
export async function importNodes(ctx: CoreContext, text: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const format = opts.format ?? 'lines';
  if (!IMPORT_FORMATS.includes(format)) throw invalid(`unknown import format "${format}"; use ${IMPORT_FORMATS.join(' or ')}`);
  if (opts.profile !== undefined && !profileIds().includes(opts.profile)) throw invalid(`unknown profile "${opts.profile}"; use one of ${profileIds().join(', ')}`);
  const { entries, problems } = format === 'lines' ? parseNodeLinesFile(text, opts.profile) : parseAnsibleInventory(text, profileIds());
  const before = ctx.vault.read().nodes;
  const existing = new Set(before.map(nodeKeyOf));
  const seen = new Map<string, number>();
  const now = ctx.now().toISOString();
  const records: NodeRecord[] = [];
  for (const entry of entries) {
    const record = checkEntry(entry, opts.profile, now, problems);
    if (!record) continue;
    const first = seen.get(record.name);
    if (first !== undefined) problems.push({ line: entry.line, why: `"${record.name}" is listed twice (first on line ${first})` });
    else if (existing.has(record.name)) problems.push({ line: entry.line, why: `a node named "${record.name}" already exists` });
    seen.set(record.name, first ?? entry.line);
    records.push(record);
  }
  if (problems.length) throw problemsError(problems);
  if (records.length === 0) throw invalid('the file lists no nodes');
  const warnings = sharedIpWarnings([...before, ...records], records.map((r) => r.name));
  if (opts.dryRun) return { nodes: records, dryRun: true, warnings };
  return { nodes: await addNodes(ctx, records.map(recordInput)), dryRun: false, warnings };
}

function checkEntry(entry: ImportEntry, profile: string | undefined, now: string, problems: ImportProblem[]): NodeRecord | null {
  try {
    return buildNodeRecord({ name: entry.name, ips: entry.ips, dns: entry.dns, profile: entry.profile ?? profile, ssh: entry.ssh, options: entry.options }, now);
  } catch (err) {
    problems.push({ line: entry.line, why: (err as Error).message });
    return null;
  }
}

function recordInput(r: NodeRecord): Parameters<typeof buildNodeRecord>[0] {
  return { name: r.name, ips: r.ips, dns: r.dns, profile: r.profile, ...(r.ssh ? { ssh: `${r.ssh.user}@${r.ssh.host.includes(':') ? `[${r.ssh.host}]` : r.ssh.host}:${r.ssh.port}` } : {}), options: r.options };
}

/**
 * The nodes as an Ansible YAML inventory: one group per profile (so a playbook can target
 * `nats-server`), `ansible_host` the SSH host (else the first address), user and port from the
 * SSH target, and every certificate address in `cluster_trust_addresses`: importing it again gives
 * the same names, addresses, profiles and SSH targets.
 */
export function ansibleInventory(inv: Inventory): string {
  const children: Record<string, { hosts: Record<string, Record<string, string | number>> }> = {};
  for (const node of inv.nodes) {
    const host: Record<string, string | number> = {};
    const address = node.ssh?.host ?? node.ips[0] ?? node.dns[0];
    if (address && address !== node.name) host.ansible_host = address;
    const addresses = [...node.ips, ...node.dns];
    if (addresses.join(' ') !== (address ?? '')) host.cluster_trust_addresses = addresses.join(' ');
    if (node.ssh) {
      host.ansible_user = node.ssh.user;
      if (node.ssh.port !== 22) host.ansible_port = node.ssh.port;
    }
    (children[node.profile] ??= { hosts: {} }).hosts[node.name] = host;
  }
  const known = PROFILES.map((p) => p.id);
  const ordered = Object.fromEntries(Object.entries(children).sort(([a], [b]) => known.indexOf(a) - known.indexOf(b)));
  return `# Cluster Trust nodes; groups are profiles.\n${yaml.stringify({ all: { children: ordered } })}`;
}
