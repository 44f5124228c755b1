import { isIP } from 'node:net';
import type { GeneralSubtrees, NameConstraints } from '@peculiar/asn1-x509';
import { asn1Schema, asn1X509 } from '../libs/asn1.ts';
import { x509 } from './provider.ts';
import { normalizeDnsName, normalizeIp } from './names.ts';
import { invalid } from '../errors.ts';

/** The names one side of a nameConstraints extension lists: DNS suffixes and IP ranges (CIDR text). */
export interface NameSubtrees {
  dns: string[];
  ips: string[];
}

export interface NameConstraintsInfo {
  critical: boolean;
  permitted: NameSubtrees;
  excluded: NameSubtrees;
  /** Other name forms an imported CA constrains (e-mail, URI, directory names): shown, not issued for. */
  other: string[];
}

/**
 * A root with no DNS suffix to permit still gets one: the reserved name "invalid" (RFC 6761, never
 * resolves), because RFC 5280 leaves a name type with no permitted subtree unconstrained.
 */
export const NO_DNS_PERMITTED = 'invalid';
const ALL_IPV4 = '0.0.0.0/0';
const ALL_IPV6 = '::/0';

/** A permitted DNS suffix: a real domain of at least two labels (or localhost), no wildcard, no leading dot. */
export function normalizeDnsSuffix(input: string): string {
  const text = input.trim();
  if (text.startsWith('.')) throw invalid(`DNS suffix "${text}": give it without the leading dot (a suffix already permits itself and every name under it)`);
  if (text.includes('*')) throw invalid(`DNS suffix "${text}": a wildcard cannot be a name constraint; give the domain itself (it permits every name under it)`);
  const name = normalizeDnsName(text);
  if (!name.includes('.') && name !== 'localhost') {
    throw invalid(`DNS suffix "${name}" is a top-level domain: it would permit every name under it; give your cluster's own domain (e.g. cluster.${name})`);
  }
  return name;
}

/** The bytes of an address in normalizeIp's form (IPv6 compressed hex, no dotted tail). */
function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  const [head = '', tail = ''] = address.split('::');
  const groups = (s: string): string[] => (s ? s.split(':') : []);
  const words = address.includes('::') ? [...groups(head), ...Array<string>(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)] : groups(address);
  return Buffer.from(words.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

function maskBytes(length: number, prefix: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (0xff << (8 - Math.max(0, Math.min(8, prefix - i * 8)))) & 0xff));
}

function bytesToIp(bytes: Buffer): string {
  return bytes.length === 4 ? [...bytes].join('.') : normalizeIp([...Array(8).keys()].map((i) => bytes.readUInt16BE(i * 2).toString(16)).join(':'));
}

/** An IP range for a constraint: CIDR (10.0.0.0/8, fd00::/8) or a single address; no host bits, no /0. */
export function normalizeIpRange(input: string): string {
  const text = input.trim();
  const slash = text.indexOf('/');
  const address = normalizeIp(slash === -1 ? text : text.slice(0, slash));
  const bits = isIP(address) === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(bits) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) throw invalid(`IP range "${text}": the prefix length must be 0 to ${bits}`);
  const prefix = Number(prefixText);
  if (prefix === 0) throw invalid(`IP range "${text}" permits every address of its family: give your cluster's range (e.g. 10.0.0.0/8)`);
  const addr = ipBytes(address);
  const mask = maskBytes(addr.length, prefix);
  const network = Buffer.from(addr.map((b, i) => b & mask[i]!));
  if (!network.equals(addr)) throw invalid(`IP range "${text}" has host bits set: did you mean ${bytesToIp(network)}/${prefix}?`);
  return `${address}/${prefix}`;
}

/** Validates what the user asked to permit; an empty set is refused (it would constrain nothing). */
export function parsePermitted(input: { dns?: string[]; ips?: string[] }): NameSubtrees {
  const dns = [...new Set((input.dns ?? []).map(normalizeDnsSuffix))];
  const ips = [...new Set((input.ips ?? []).map(normalizeIpRange))];
  if (dns.length + ips.length === 0) throw invalid('name constraints need at least one --permit-dns suffix or --permit-ip range');
  if (dns.length + ips.length > 64) throw invalid('at most 64 permitted names and ranges');
  return { dns, ips };
}

/**
 * The whole extension for what the user permits. A family the user left out is shut, never open:
 * no IPv6 range excludes ::/0, no IPv4 range excludes 0.0.0.0/0, no DNS suffix permits only "invalid".
 */
export function constraintsFor(permitted: NameSubtrees): NameConstraintsInfo {
  const v4 = permitted.ips.some((r) => isIP(r.split('/')[0]!) === 4);
  const v6 = permitted.ips.some((r) => isIP(r.split('/')[0]!) === 6);
  return {
    critical: true,
    permitted: { dns: permitted.dns.length ? permitted.dns : [NO_DNS_PERMITTED], ips: permitted.ips },
    excluded: { dns: [], ips: [...(v4 ? [] : [ALL_IPV4]), ...(v6 ? [] : [ALL_IPV6])] },
    other: [],
  };
}

function subtrees(names: NameSubtrees): GeneralSubtrees | undefined {
  const list = [
    ...names.dns.map((dNSName) => new asn1X509.GeneralSubtree({ base: new asn1X509.GeneralName({ dNSName }) })),
    ...names.ips.map((iPAddress) => new asn1X509.GeneralSubtree({ base: new asn1X509.GeneralName({ iPAddress }) })),
  ];
  return list.length ? new asn1X509.GeneralSubtrees(list) : undefined;
}

export function nameConstraintsExtension(info: NameConstraintsInfo): x509.Extension {
  const value = new asn1X509.NameConstraints({ permittedSubtrees: subtrees(info.permitted), excludedSubtrees: subtrees(info.excluded) });
  return new x509.Extension(asn1X509.id_ce_nameConstraints, true, asn1Schema.AsnConvert.serialize(value));
}

function readSubtrees(list: GeneralSubtrees | undefined, other: string[], side: string): NameSubtrees {
  const out: NameSubtrees = { dns: [], ips: [] };
  for (const { base } of list ?? []) {
    if (base.dNSName !== undefined) out.dns.push(base.dNSName.toLowerCase());
    else if (base.iPAddress !== undefined) out.ips.push(base.iPAddress);
    else if (base.rfc822Name !== undefined) other.push(`${side} e-mail ${base.rfc822Name}`);
    else if (base.uniformResourceIdentifier !== undefined) other.push(`${side} URI ${base.uniformResourceIdentifier}`);
    else if (base.directoryName !== undefined) other.push(`${side} directory name`);
    else other.push(`${side} other name form`);
  }
  return out;
}

const cache = new WeakMap<object, NameConstraintsInfo | null>();

/** The CA's nameConstraints, or null when it has none (then it may sign for any name). */
export function readNameConstraints(cert: x509.X509Certificate): NameConstraintsInfo | null {
  if (cache.has(cert)) return cache.get(cert)!;
  const ext = cert.getExtension(asn1X509.id_ce_nameConstraints);
  let info: NameConstraintsInfo | null = null;
  if (ext) {
    let nc: NameConstraints;
    try {
      nc = asn1Schema.AsnConvert.parse(ext.value, asn1X509.NameConstraints);
    } catch {
      throw invalid('the CA certificate has a nameConstraints extension that cannot be read');
    }
    const other: string[] = [];
    info = { critical: ext.critical, permitted: readSubtrees(nc.permittedSubtrees, other, 'permitted'), excluded: readSubtrees(nc.excludedSubtrees, other, 'excluded'), other };
  }
  cache.set(cert, info);
  return info;
}

/** RFC 5280 DNS matching: a suffix matches itself and names under it; a leading dot only names under it; "" all. */
function dnsMatches(name: string, constraint: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const c = constraint.toLowerCase().replace(/\.$/, '');
  if (c === '') return true;
  if (c.startsWith('.')) return n.endsWith(c);
  return n === c || n.endsWith(`.${c}`);
}

function ipMatches(address: string, range: string): boolean {
  const slash = range.indexOf('/');
  let net: Buffer;
  let addr: Buffer;
  try {
    net = ipBytes(normalizeIp(slash === -1 ? range : range.slice(0, slash)));
    addr = ipBytes(normalizeIp(address));
  } catch {
    return false;
  }
  if (net.length !== addr.length) return false;
  const prefix = slash === -1 ? net.length * 8 : Number(range.slice(slash + 1));
  const mask = maskBytes(net.length, prefix);
  return addr.every((b, i) => (b & mask[i]!) === (net[i]! & mask[i]!));
}

/** "DNS cluster.example", "IP 10.0.0.0/8", ... */
export function describeSubtreeList(s: NameSubtrees): string[] {
  const dns = (d: string): string => (d === '' ? 'DNS (every name)' : d === NO_DNS_PERMITTED ? 'DNS invalid (no real name)' : `DNS ${d}`);
  return [...s.dns.map(dns), ...s.ips.map((r) => `IP ${r}`)];
}

export function describeSubtrees(s: NameSubtrees): string {
  return describeSubtreeList(s).join(', ') || 'none';
}

/** One line for `ca show` and `inspect`. */
export function describeConstraints(info: NameConstraintsInfo): string {
  const parts = [`permitted ${describeSubtrees(info.permitted)}`];
  if (info.excluded.dns.length + info.excluded.ips.length) parts.push(`excluded ${describeSubtrees(info.excluded)}`);
  if (info.other.length) parts.push(info.other.join(', '));
  return `${parts.join('; ')}${info.critical ? ' (critical)' : ''}`;
}

export interface NamesToCheck {
  dns: string[];
  ips: string[];
  /** The subject CN; OpenSSL checks a dotted, host-like CN against the DNS constraints too. */
  commonName?: string;
}

/**
 * Why these names fall outside the constraints (one line naming the constraint), or null when every
 * name fits. Verifiers refuse such a certificate anyway: we refuse before signing it.
 */
export function constraintViolation(info: NameConstraintsInfo, names: NamesToCheck): string | null {
  if (info.other.some((o) => o.startsWith('permitted directory'))) {
    return 'the CA constrains directory names (subjects), which Cluster Trust does not issue for';
  }
  const cn = names.commonName && names.commonName.includes('.') && isIP(names.commonName) === 0 && /^[A-Za-z0-9.-]+$/.test(names.commonName) ? [names.commonName] : [];
  for (const [i, name] of [...names.dns, ...cn].entries()) {
    const what = i < names.dns.length ? `DNS name "${name}"` : `common name "${name}"`;
    const excludedBy = info.excluded.dns.find((c) => dnsMatches(name, c));
    if (excludedBy !== undefined) return `${what} is excluded by the CA's name constraint DNS ${excludedBy || '(every name)'}`;
    if (info.permitted.dns.length && !info.permitted.dns.some((c) => dnsMatches(name, c))) {
      return `${what} is outside the CA's permitted DNS names (${info.permitted.dns.join(', ')})`;
    }
  }
  for (const ip of names.ips) {
    const excludedBy = info.excluded.ips.find((r) => ipMatches(ip, r));
    if (excludedBy) return `IP ${ip} is excluded by the CA's name constraint IP ${excludedBy}`;
    if (info.permitted.ips.length && !info.permitted.ips.some((r) => ipMatches(ip, r))) {
      return `IP ${ip} is outside the CA's permitted IP ranges (${info.permitted.ips.join(', ')})`;
    }
  }
  return null;
}

/** What to add at `ca rotate` so a name fits: the name's parent domain, or the address itself. */
export function suggestedPermit(name: string): string {
  if (isIP(name)) return `--permit-ip ${name}/${isIP(name) === 4 ? 32 : 128}`;
  const labels = name.split('.');
  return `--permit-dns ${labels.length > 2 ? labels.slice(1).join('.') : name}`;
}
