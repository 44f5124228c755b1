/**
 * Renderer-side mirror of src-main/pki/names.ts, for validation as the user types. Main checks
 * everything again; test/renderer/names-mirror.test.ts proves both agree on the same inputs.
 * No Node here (the renderer has none), so IP parsing is written out.
 */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
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

/** Why a DNS name is not usable in a certificate, or null. Same rules and words as main. */
export function dnsNameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > 253) return `is ${name.length} characters long (at most 253)`;
  if (isIPv4(name) || isIPv6(name)) return 'is an IP address: give it as an IP, not a DNS name';
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

export const NODE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function nodeNameProblem(name: string): string | null {
  if (name.length === 0) return 'give the node a name';
  if (!NODE_NAME_PATTERN.test(name) || name.includes('..')) return 'use 1-63 letters, digits, dots, hyphens or underscores, starting with a letter or digit';
  return null;
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
