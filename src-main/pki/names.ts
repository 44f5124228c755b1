import { isIP } from 'node:net';
import { invalid } from '../errors.ts';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Why a DNS name is not usable in a certificate, or null when it is. Wildcards only as the leftmost label. */
export function dnsNameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > 253) return `is ${name.length} characters long (at most 253)`;
  if (isIP(name)) return 'is an IP address: give it as an IP, not a DNS name';
  const labels = name.toLowerCase().replace(/\.$/, '').split('.');
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (i === 0 && label === '*' && labels.length > 2) continue;
    if (label.length > 63) return `has a label longer than 63 characters ("${label.slice(0, 20)}...")`;
    if (!LABEL.test(label)) return `has an invalid label "${label}" (letters, digits and inner hyphens only)`;
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return 'ends in an all-numeric label';
  return null;
}

export function normalizeDnsName(name: string): string {
  const trimmed = name.trim();
  const problem = dnsNameProblem(trimmed);
  if (problem) throw invalid(`invalid DNS name "${trimmed}": it ${problem}`);
  return trimmed.toLowerCase().replace(/\.$/, '');
}

/** Canonical text of an IPv4 or IPv6 address (IPv6 compressed, lowercase), or an error. */
export function normalizeIp(input: string): string {
  const trimmed = input.trim().replace(/^\[(.*)\]$/, '$1');
  const family = isIP(trimmed);
  if (family === 4) {
    if (trimmed.split('.').some((o) => o.length > 1 && o.startsWith('0'))) {
      throw invalid(`invalid IP address "${input}": octets with leading zeros are ambiguous`);
    }
    return trimmed;
  }
  if (family === 6) {
    // isIP accepts scoped addresses (fe80::1%eth0); a zone means nothing to a certificate (and URL rejects it).
    if (trimmed.includes('%')) throw invalid(`invalid IP address "${input}": a zone id (%...) cannot go in a certificate`);
    return new URL(`http://[${trimmed}]/`).hostname.slice(1, -1);
  }
  if (/^[^/]+\/\d+$/.test(trimmed) && isIP(trimmed.split('/')[0]!)) throw invalid(`invalid IP address "${input}": CIDR is not an address; give the node's own IP`);
  throw invalid(`invalid IP address "${input}"`);
}

export function isIpAddress(value: string): boolean {
  return isIP(value.trim().replace(/^\[(.*)\]$/, '$1')) !== 0;
}

/** Node names double as certificate CN and file names in bundles, so they are kept to a safe alphabet. */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function checkNodeName(name: string): string {
  if (!NODE_NAME_PATTERN.test(name) || name.includes('..')) {
    throw invalid(`invalid node name "${name}": use 1-63 letters, digits, dots, hyphens or underscores, starting with a letter or digit`);
  }
  return name;
}

export function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}
