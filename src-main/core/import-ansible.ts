import type { Node as YamlNode, YAMLMap } from 'yaml';
import { yaml } from '../libs/yaml.ts';
import { isIpAddress } from '../pki/names.ts';
import type { ImportEntry, ImportProblem } from './import-lines.ts';

/**
 * An Ansible inventory (INI or YAML) as nodes: each host with its `ansible_host` (else its own name)
 * as the address, `ansible_user`/`ansible_port` as the SSH target, and the groups it is in (a group
 * named like a profile picks that profile). Of the vars only those keys are read, and
 * `cluster_trust_addresses` (all of a node's addresses, written by our own export).
 */
interface Host {
  line: number;
  vars: Record<string, string>;
  groups: Set<string>;
}

type Hosts = Map<string, Host>;

function addHost(hosts: Hosts, name: string, line: number, group: string | null, vars: Record<string, string>): void {
  let host = hosts.get(name);
  if (!host) hosts.set(name, (host = { line, vars: {}, groups: new Set() }));
  Object.assign(host.vars, vars);
  if (group) host.groups.add(group);
}

/** `key=value` pairs of an INI host line; values may be quoted. */
function iniVars(text: string): Record<string, string> | string {
  const vars: Record<string, string> = {};
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|'([^']*)'|\S*)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) vars[m[1]!] = m[3] ?? m[4] ?? m[2]!;
  return text.slice(re.lastIndex).trim() ? `cannot read "${text.slice(re.lastIndex).trim()}" (host vars are key=value)` : vars;
}

function parseIni(text: string, hosts: Hosts, problems: ImportProblem[]): void {
  let section: { group: string; kind: 'hosts' | 'vars' | 'children' } = { group: 'ungrouped', kind: 'hosts' };
  const groupVars = new Map<string, Record<string, string>>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const body = raw.replace(/^\s*[#;].*$/, '').trim();
    if (!body) return;
    const header = /^\[([^\]:\s]+)(?::(vars|children))?\]$/.exec(body);
    if (header) return void (section = { group: header[1]!, kind: (header[2] as 'vars' | 'children' | undefined) ?? 'hosts' });
    if (body.startsWith('[')) return void problems.push({ line, why: `cannot read the section header ${body}` });
    if (section.kind === 'children') return; // groups of groups: a host's own group decides its profile
    if (section.kind === 'vars') {
      const vars = iniVars(body);
      if (typeof vars === 'string') return void problems.push({ line, why: vars });
      return void groupVars.set(section.group, { ...groupVars.get(section.group), ...vars });
    }
    const [name, ...rest] = body.split(/\s+/) as [string, ...string[]];
    if (/\[[^\]]*:[^\]]*\]/.test(name)) return void problems.push({ line, why: `"${name}": host ranges are not imported; list each host` });
    const vars = iniVars(rest.join(' '));
    if (typeof vars === 'string') return void problems.push({ line, why: `"${name}": ${vars}` });
    addHost(hosts, name, line, section.group === 'ungrouped' ? null : section.group, vars);
  });
  // Group vars fill in what a host does not set itself.
  for (const host of hosts.values()) {
    for (const g of host.groups) host.vars = { ...groupVars.get(g), ...host.vars };
  }
}

function scalarVars(map: unknown): Record<string, string> {
  const vars: Record<string, string> = {};
  if (!yaml.isMap(map)) return vars;
  for (const pair of map.items) {
    if (yaml.isScalar(pair.key) && yaml.isScalar(pair.value) && pair.value.value !== null) vars[String(pair.key.value)] = String(pair.value.value);
  }
  return vars;
}

function parseYaml(text: string, hosts: Hosts, problems: ImportProblem[]): void {
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const lineOf = (node: YamlNode | null | undefined): number => (node?.range ? lines.linePos(node.range[0]).line : 1);
  if (doc.errors.length) {
    for (const e of doc.errors) problems.push({ line: e.linePos?.[0].line ?? 1, why: e.message.split('\n')[0]! });
    return;
  }
  if (!yaml.isMap(doc.contents)) return void problems.push({ line: 1, why: 'an Ansible YAML inventory is a map of groups (all: hosts: ...)' });
  const walk = (group: string, body: unknown, inherited: Record<string, string>, depth: number): void => {
    if (body === null || (yaml.isScalar(body) && body.value === null)) return;
    if (!yaml.isMap(body)) return void problems.push({ line: lineOf(body as YamlNode), why: `group "${group}" must be a map with hosts, vars or children` });
    if (depth > 32) return void problems.push({ line: lineOf(body), why: `groups nest too deep at "${group}"` });
    const vars = { ...inherited, ...scalarVars(body.get('vars', true)) };
    const hostMap = body.get('hosts', true) as YamlNode | undefined;
    if (hostMap && yaml.isMap(hostMap)) {
      for (const pair of (hostMap as YAMLMap).items) {
        const keyNode = pair.key as YamlNode;
        if (!yaml.isScalar(keyNode)) return void problems.push({ line: lineOf(keyNode), why: 'a host name must be plain text' });
        addHost(hosts, String(keyNode.value), lineOf(keyNode), group === 'all' ? null : group, { ...vars, ...scalarVars(pair.value) });
      }
    } else if (hostMap && !(yaml.isScalar(hostMap) && hostMap.value === null)) {
      problems.push({ line: lineOf(hostMap), why: `"hosts" of group "${group}" must be a map of host names` });
    }
    const children = body.get('children', true);
    if (yaml.isMap(children)) {
      for (const pair of children.items) if (yaml.isScalar(pair.key)) walk(String(pair.key.value), pair.value, vars, depth + 1);
    }
  };
  for (const pair of (doc.contents as YAMLMap).items) {
    if (yaml.isScalar(pair.key)) walk(String(pair.key.value), pair.value, {}, 0);
  }
}

/** YAML when the first meaningful line is `---` or a `key:` map entry; INI otherwise. */
function looksLikeYaml(text: string): boolean {
  const first = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l && !l.startsWith('#') && !l.startsWith(';'));
  return first !== undefined && (first.startsWith('---') || /^[^\s=[]+:(\s|$)/.test(first));
}

export function parseAnsibleInventory(text: string, profileIds: readonly string[]): { entries: ImportEntry[]; problems: ImportProblem[] } {
  const hosts: Hosts = new Map();
  const problems: ImportProblem[] = [];
  if (looksLikeYaml(text)) parseYaml(text, hosts, problems);
  else parseIni(text, hosts, problems);
  const entries: ImportEntry[] = [];
  for (const [name, host] of hosts) {
    const profiles = [...host.groups].filter((g) => profileIds.includes(g));
    if (profiles.length > 1) {
      problems.push({ line: host.line, why: `"${name}" is in groups of two profiles (${profiles.join(', ')}); keep it in one` });
      continue;
    }
    const address = host.vars.ansible_host ?? name;
    const user = host.vars.ansible_user;
    const port = host.vars.ansible_port;
    const target = address.includes(':') ? `[${address}]` : address;
    // Our own export lists every certificate address; any other inventory gives the one it connects to.
    const addresses = host.vars.cluster_trust_addresses?.split(/[\s,]+/).filter(Boolean) ?? [address];
    entries.push({
      line: host.line,
      name,
      ips: addresses.filter((a) => isIpAddress(a)),
      dns: addresses.filter((a) => !isIpAddress(a)),
      ...(profiles[0] ? { profile: profiles[0] } : {}),
      ...(user ? { ssh: `${user}@${target}${port ? `:${port}` : ''}` } : {}),
      options: {},
    });
  }
  return { entries, problems };
}
