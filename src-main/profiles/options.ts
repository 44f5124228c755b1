import { invalid, type Fix, type UserError } from '../errors.ts';
import { normalizeIp } from '../pki/names.ts';
import type { NodeRecord } from '../vault/schema.ts';
import type { Profile } from './types.ts';

/**
 * Reading `node.options` (strings set with `--set KEY=VALUE`). An empty value means "not set", so
 * `--set KEY=` clears a setting. Every error names the node, the profile and the option.
 */
export function optionError(node: NodeRecord, key: string, problem: string, fix?: Fix): UserError {
  return invalid(`node "${node.name}" (profile ${node.profile}): option ${key} ${problem}`, fix);
}

export function rawOption(node: NodeRecord, key: string): string | undefined {
  const value = node.options[key]?.trim();
  return value ? value : undefined;
}

/** Refuses keys the profile does not know: a typo must not silently fall back to a default. */
export function checkKnownOptions(profile: Profile, node: NodeRecord): void {
  const known = new Set((profile.options ?? []).map((o) => o.key));
  for (const [key, value] of Object.entries(node.options)) {
    if (known.has(key) || value.trim() === '') continue;
    const list = known.size ? `known: ${[...known].join(', ')}` : 'it takes no options';
    const what = `node "${node.name}" (profile ${profile.id}) has an unknown option "${key}" (${list})`;
    throw invalid(`${what}; clear it with \`node edit ${node.name} --set ${key}=\``, `${what}; open its Edit form and save it: settings its profile does not know are cleared`);
  }
}

export function portOption(node: NodeRecord, key: string, fallback: number): number;
export function portOption(node: NodeRecord, key: string): number | undefined;
export function portOption(node: NodeRecord, key: string, fallback?: number): number | undefined {
  const raw = rawOption(node, key);
  if (raw === undefined) return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) throw optionError(node, key, `must be a TCP port from 1 to 65535 (got "${raw}")`);
  return Number(raw);
}

export function intOption(node: NodeRecord, key: string, fallback: number, min: number, max: number): number {
  const raw = rawOption(node, key);
  if (raw === undefined) return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) throw optionError(node, key, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  return Number(raw);
}

export function ipOption(node: NodeRecord, key: string): string | undefined {
  const raw = rawOption(node, key);
  if (raw === undefined) return undefined;
  try {
    return normalizeIp(raw);
  } catch {
    throw optionError(node, key, `must be an IPv4 or IPv6 address (got "${raw}")`);
  }
}

export function boolOption(node: NodeRecord, key: string, fallback: boolean): boolean {
  const raw = rawOption(node, key)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === 'yes' || raw === 'on' || raw === '1') return true;
  if (raw === 'false' || raw === 'no' || raw === 'off' || raw === '0') return false;
  throw optionError(node, key, `must be true or false (got "${raw}")`);
}

export function choiceOption<T extends string>(node: NodeRecord, key: string, choices: readonly T[], fallback: T): T {
  const raw = rawOption(node, key);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw optionError(node, key, `must be one of ${choices.join(', ')} (got "${raw}")`);
  return raw as T;
}

/** A name safe inside every config syntax we write (interface names, node names). */
export function wordOption(node: NodeRecord, key: string, fallback: string): string {
  const raw = rawOption(node, key);
  if (raw === undefined) return fallback;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(raw)) throw optionError(node, key, `must be letters, digits, dots, hyphens or underscores (got "${raw}")`);
  return raw;
}

/**
 * A URL path prefix, normalized to start and end with "/" ("/" for the whole domain). Only plain
 * path characters: anything else would need different escaping in nginx, Apache and Caddy.
 */
export function subPathOption(node: NodeRecord, key: string): string {
  const raw = rawOption(node, key);
  if (raw === undefined) return '/';
  const segments = raw.split('/').filter((s) => s !== '');
  for (const s of segments) {
    if (!/^[A-Za-z0-9._~-]+$/.test(s) || s === '.' || s === '..') {
      throw optionError(node, key, `must be a URL path like /sub/path/ made of letters, digits and . _ ~ - (got "${raw}")`);
    }
  }
  return segments.length ? `/${segments.join('/')}/` : '/';
}

/** An http(s) origin to proxy to: scheme, host, port; no path, query or credentials. */
export function upstreamOption(node: NodeRecord, key: string): string | undefined {
  const raw = rawOption(node, key);
  if (raw === undefined) return undefined;
  const bad = () => optionError(node, key, `must be an http:// or https:// address like http://127.0.0.1:8080 (got "${raw}")`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad();
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) throw bad();
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(url.host)) throw bad();
  return `${url.protocol}//${url.host}`;
}
