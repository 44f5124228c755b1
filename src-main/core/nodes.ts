import { checkNodeName, normalizeDnsName, normalizeIp, unique } from '../pki/names.ts';
import { isKeyType, type KeyType } from '../pki/policy.ts';
import { getProfile, DEFAULT_PROFILE_ID, PROFILES, checkNodeOptions, missingSettings } from '../profiles/index.ts';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseOwnerSpec } from './owner-spec.ts';
import { activeCaConstraints, checkNodeAgainstConstraints } from './name-policy.ts';
import { UserError, invalid, type Fix } from '../errors.ts';
import { nodeKeyOf } from './inventory-index.ts';
import { findNode } from './node-lookup.ts';
// The lookups live in node-lookup.ts (no PKI code), so read-only commands load without it.
export { findNode, certsOf, latestCert, certHistory, ownerOf, latestOrphanCert } from './node-lookup.ts';
import type { CoreContext } from './context.ts';
import type { NodeRecord, SshTarget } from '../vault/schema.ts';

export interface NodeInput {
  name: string;
  dns?: string[];
  ips?: string[];
  server?: boolean;
  client?: boolean;
  profile?: string;
  keyType?: string;
  ssh?: string;
  sshKey?: string;
  dest?: string;
  restart?: string;
  /** null goes back to the profile's port. */
  verifyPort?: number | null;
  /** Owner of the pushed files on the node: user, user:group or uid:gid. */
  owner?: string;
  /** Trust the CA system-wide on the node at every push. */
  trustCa?: boolean;
  /** The node makes its own key over SSH; needs an SSH target. */
  keyOnNode?: boolean;
  options?: Record<string, string>;
}

/** For the optional push settings: undefined keeps the previous value, '' clears it. */
function keptOrSet(given: string | undefined, previous: string | undefined): string | undefined {
  if (given === undefined) return previous;
  return given === '' ? undefined : given;
}

/** The inverse of parseSshTarget: `user@host`, `user@host:2222`, `user@[v6]:2222`. */
export function sshTargetText(t: SshTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.user}@${host}${t.port === 22 ? '' : `:${t.port}`}`;
}

function withoutKeyFile(t: SshTarget): SshTarget {
  return { user: t.user, host: t.host, port: t.port };
}

/** `user@host[:port]`, `user@[v6]:port`; the user is required so a push never guesses it. */
export function parseSshTarget(spec: string, keyFile?: string): SshTarget {
  const m = /^([A-Za-z_][A-Za-z0-9._-]{0,31})@(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(spec.trim());
  if (!m) throw invalid(`invalid SSH target "${spec}": use user@host or user@host:port`);
  const host = m[2]!.startsWith('[') ? normalizeIp(m[2]!) : m[2]!;
  const port = m[3] ? Number(m[3]) : 22;
  if (port < 1 || port > 65535) throw invalid(`invalid SSH port ${m[3]} (1-65535)`);
  if (!m[2]!.startsWith('[') && !/^[0-9.]+$/.test(host)) normalizeDnsName(host);
  else if (!m[2]!.startsWith('[')) normalizeIp(host);
  return { user: m[1]!, host, port, ...(keyFile ? { keyFile } : {}) };
}

function checkPort(port: number | undefined, what: Fix): number | undefined {
  if (port === undefined) return undefined;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(`${what.cli} must be a TCP port from 1 to 65535`, `${what.app} must be a TCP port from 1 to 65535`);
  return port;
}

/** A key file on this machine: ~/... stays relative to the home directory, anything else becomes absolute. */
function checkKeyFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  if (path.includes('\0') || path.length > 4096) throw invalid(`--ssh-key must be a file path (got "${path.slice(0, 80)}")`, `the SSH key must be a file path (got "${path.slice(0, 80)}")`);
  return path === '~' || path.startsWith('~/') ? path : resolve(path);
}

function checkCommand(cmd: string | undefined): string | undefined {
  if (cmd === undefined) return undefined;
  if (cmd.includes('\0') || cmd.length > 4096 || cmd.trim() === '') throw invalid('--restart must be a shell command of at most 4096 characters', 'the reload command must be a shell command of at most 4096 characters');
  return cmd;
}

function checkOwner(spec: string | undefined): string | undefined {
  return spec === undefined ? undefined : (parseOwnerSpec(spec), spec.trim());
}

function checkAbsolutePath(path: string | undefined, what: Fix): string | undefined {
  if (path === undefined) return undefined;
  if (!path.startsWith('/') || path.includes('\0') || /(^|\/)\.\.(\/|$)/.test(path) || path.length > 1024) {
    throw invalid(`${what.cli} must be an absolute path without ".." (got "${path}")`, `${what.app} must be an absolute path without ".." (got "${path}")`);
  }
  return path.replace(/\/+$/, '') || '/';
}

/** Validates and normalizes every field; returns a record ready to store. Nothing is written here. */
export function buildNodeRecord(input: NodeInput, now: string, previous?: NodeRecord): NodeRecord {
  const name = checkNodeName(input.name);
  const profileId = input.profile ?? previous?.profile ?? DEFAULT_PROFILE_ID;
  const profile = getProfile(profileId);
  const dns = unique((input.dns ?? previous?.dns ?? []).map(normalizeDnsName));
  // A profile id typed into the address list is a slip, not a host called "nats-server".
  const slip = dns.find((d) => PROFILES.some((p) => p.id === d));
  if (slip) throw invalid(`node "${name}": "${slip}" is a profile, not a DNS name; choose it as the node's profile`);
  const ips = unique((input.ips ?? previous?.ips ?? []).map(normalizeIp));
  if (dns.length + ips.length === 0 && !profile.loopback) {
    throw invalid(`node "${name}" needs at least one --dns name or --ip address`, `node "${name}" needs at least one DNS name or IP address`);
  }
  let keyType: KeyType | undefined = previous?.keyType;
  if (input.keyType !== undefined) {
    if (!isKeyType(input.keyType)) throw invalid(`unknown key type "${input.keyType}"`);
    keyType = input.keyType;
  }
  const explicitEku = input.server !== undefined || input.client !== undefined;
  const server = (explicitEku ? Boolean(input.server) : previous?.server ?? profile.server) || profile.server;
  const client = (explicitEku ? Boolean(input.client) : previous?.client ?? profile.client) || profile.client;
  const keyFile = checkKeyFile(keptOrSet(input.sshKey, previous?.ssh?.keyFile));
  const sshSpec = input.ssh === undefined ? undefined : input.ssh.trim();
  const ssh = sshSpec === '' ? undefined : sshSpec !== undefined ? parseSshTarget(sshSpec, keyFile) : previous?.ssh && { ...withoutKeyFile(previous.ssh), ...(keyFile ? { keyFile } : {}) };
  if (input.sshKey && !ssh) throw invalid('--ssh-key needs --ssh user@host', 'an SSH key needs an SSH target (user@host)');
  const dest = checkAbsolutePath(keptOrSet(input.dest, previous?.dest), { cli: '--dest', app: 'the folder on the node' });
  const restart = checkCommand(keptOrSet(input.restart, previous?.restart));
  const verifyPort = checkPort(input.verifyPort === undefined ? previous?.verifyPort : input.verifyPort ?? undefined, { cli: '--verify-port', app: 'the port to check TLS on' });
  const owner = checkOwner(keptOrSet(input.owner, previous?.owner));
  const keyOnNode = input.keyOnNode ?? previous?.keyOnNode ?? false;
  if (keyOnNode && !ssh) throw invalid(`node "${name}" makes its key on the node, which needs an SSH target: add --ssh user@host`);
  const record: NodeRecord = {
    // A new record gets a new id, so a re-added name starts with no certificate.
    id: previous?.id ?? randomBytes(8).toString('hex'),
    name,
    dns,
    ips,
    server: server || (!server && !client),
    client,
    profile: profile.id,
    loopback: profile.loopback,
    ...(keyType ? { keyType } : {}),
    ...(ssh ? { ssh } : {}),
    ...(dest !== undefined ? { dest } : {}),
    ...(restart !== undefined ? { restart } : {}),
    ...(verifyPort !== undefined ? { verifyPort } : {}),
    ...(owner !== undefined ? { owner } : {}),
    ...((input.trustCa ?? previous?.trustCa) ? { trustCa: true } : {}),
    ...(keyOnNode ? { keyOnNode: true } : {}),
    options: { ...(previous?.options ?? {}), ...(input.options ?? {}) },
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
  // A bad --set value is refused when it is typed, not later when a bundle is made.
  checkNodeOptions(record);
  return record;
}

/** A new node comes with the settings its profile cannot work without (reverse-proxy's upstream). */
function requireSettings(node: NodeRecord): void {
  const missing = missingSettings(node);
  if (missing.length === 0) return;
  const help = getProfile(node.profile).options?.find((o) => o.key === missing[0])?.help;
  throw invalid(`node "${node.name}" (profile ${node.profile}) needs the setting ${missing[0]}${help ? `: ${help}` : ''}`);
}

export async function addNodes(ctx: CoreContext, inputs: NodeInput[]): Promise<NodeRecord[]> {
  const now = ctx.now().toISOString();
  const records = inputs.map((i) => buildNodeRecord(i, now));
  for (const r of records) requireSettings(r);
  const names = new Set<string>();
  for (const r of records) {
    if (names.has(r.name)) throw new UserError('conflict', `node "${r.name}" is listed twice`);
    names.add(r.name);
  }
  return ctx.vault.update((inv) => {
    const existing = new Set(inv.nodes.map(nodeKeyOf));
    for (const r of records) {
      if (existing.has(nodeKeyOf(r))) throw new UserError('conflict', `a node named "${r.name}" already exists`);
      checkNodeAgainstConstraints(activeCaConstraints(ctx, inv), r);
    }
    inv.nodes.push(...records);
    return records;
  });
}

export async function editNode(ctx: CoreContext, input: NodeInput): Promise<NodeRecord> {
  return ctx.vault.update((inv) => {
    const previous = findNode(inv, input.name);
    const next = buildNodeRecord(input, ctx.now().toISOString(), previous);
    checkNodeAgainstConstraints(activeCaConstraints(ctx, inv), next, previous);
    inv.nodes[inv.nodes.indexOf(previous)] = next;
    return next;
  });
}
