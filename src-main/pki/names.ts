import { isIP } from 'node:net';
import { invalid } from '../errors.ts';
import { dnsNameProblemWith, NODE_NAME_PATTERN, NODE_NAME_RULE, nodeNameProblem } from './name-rules.ts';

export { NODE_NAME_PATTERN, NODE_NAME_RULE };

/** Why a DNS name is not usable in a certificate, or null when it is (the shared rules, with Node's IP test). */
export function dnsNameProblem(name: string): string | null {
  return dnsNameProblemWith(name, (value) => isIP(value) !== 0);
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

export function checkNodeName(name: string): string {
  if (nodeNameProblem(name) !== null) throw invalid(`invalid node name "${name}": ${NODE_NAME_RULE}`);
  return name;
}

export function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}
