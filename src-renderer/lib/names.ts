/**
 * Validation as the user types. Name rules come from main's shared pure module; IP parsing is
 * written out (the renderer has no Node): test/renderer/names-mirror.test.ts proves it accepts
 * exactly what main accepts. Main checks everything again.
 */
import { dnsNameProblemWith } from '../../src-main/pki/name-rules.ts';

export { NODE_NAME_PATTERN, nodeNameProblem } from '../../src-main/pki/name-rules.ts';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)){3}$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

export function isIPv4(value: string): boolean {
  return IPV4.test(value);
}

export function isIPv6(value: string): boolean {
  const halves = value.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  const all = [...head, ...tail];
  let count = all.length;
  for (let i = 0; i < all.length; i++) {
    const g = all[i]!;
    const isLast = i === all.length - 1;
    if (isLast && g.includes('.')) {
      // An embedded IPv4 address takes the place of the last two groups.
      if (!isIPv4(g)) return false;
      count += 1;
    } else if (!HEXTET.test(g)) {
      return false;
    }
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** Brackets around an IPv6 address are accepted, as main does. */
export function isIpAddress(value: string): boolean {
  const v = value.trim().replace(/^\[(.*)\]$/, '$1');
  return isIPv4(v) || isIPv6(v);
}

export function ipProblem(value: string): string | null {
  return isIpAddress(value) ? null : `"${value}" is not a valid IP address`;
}

/** Why a DNS name is not usable in a certificate, or null: main's rules and words. */
export function dnsNameProblem(name: string): string | null {
  return dnsNameProblemWith(name, (value) => isIPv4(value) || isIPv6(value));
}

/** Splits what the user typed in an address field: commas, spaces and new lines all separate. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export interface AddressCheck {
  values: string[];
  problems: string[];
}

export function checkIps(text: string): AddressCheck {
  const values = splitList(text);
  return { values, problems: values.map(ipProblem).filter((p): p is string => p !== null) };
}

export function checkDnsNames(text: string): AddressCheck {
  const values = splitList(text);
  const problems: string[] = [];
  for (const v of values) {
    const p = dnsNameProblem(v);
    if (p) problems.push(`"${v}" ${p}`);
  }
  return { values, problems };
}
