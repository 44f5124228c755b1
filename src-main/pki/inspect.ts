import { createHash, X509Certificate } from 'node:crypto';
import { certificatesFrom } from './pem.ts';
import { keyTypeOf } from './keys.ts';
import { normalizeIp } from './names.ts';
import { x509 } from './provider.ts';
import { readNameConstraints, type NameConstraintsInfo } from './name-constraints.ts';
import { invalid } from '../errors.ts';

export interface CertificateReport {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  isCa: boolean;
  selfSigned: boolean;
  dns: string[];
  ips: string[];
  extendedKeyUsage: string[];
  keyType: string;
  sha256: string;
  sha1: string;
  /** A CA's nameConstraints; null when it has none (it may sign for any name) and for leaves. */
  nameConstraints: NameConstraintsInfo | null;
}

/**
 * The DER of the nameConstraints OID (2.5.29.30). A certificate without these bytes has no such
 * extension, and so needs no ASN.1 library to say so (loading it was most of the app's first `getCa`).
 */
const NAME_CONSTRAINTS_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x1e]);

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
};

function canonicalIp(text: string): string {
  try {
    return normalizeIp(text);
  } catch {
    return text.toLowerCase();
  }
}

/** SANs out of Node's text form: `DNS:a, IP Address:1.2.3.4`. */
export function sansOf(cert: X509Certificate): { dns: string[]; ips: string[] } {
  const dns: string[] = [];
  const ips: string[] = [];
  for (const part of (cert.subjectAltName ?? '').split(/,\s*/)) {
    if (part.startsWith('DNS:')) dns.push(part.slice(4));
    // Node spells IPv6 out in full (2001:DB8:0:0:...); use the canonical form the inventory uses.
    else if (part.startsWith('IP Address:')) ips.push(canonicalIp(part.slice(11)));
  }
  return { dns, ips };
}

export function fingerprintSha256(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

/** Colon-separated upper-case hex, the form openssl and browsers show. */
export function formatFingerprint(hex: string): string {
  return hex.toUpperCase().match(/.{2}/g)!.join(':');
}

export function reportOf(cert: X509Certificate): CertificateReport {
  let keyType: string;
  try {
    keyType = keyTypeOf(cert.publicKey);
  } catch {
    keyType = cert.publicKey.asymmetricKeyType ?? 'unknown';
  }
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    serial: cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    isCa: cert.ca,
    selfSigned: cert.subject === cert.issuer && cert.verify(cert.publicKey),
    ...sansOf(cert),
    extendedKeyUsage: (cert.keyUsage ?? []).map((oid) => EKU_NAMES[oid] ?? oid),
    keyType,
    sha256: fingerprintSha256(cert.raw),
    sha1: createHash('sha1').update(cert.raw).digest('hex'),
    nameConstraints: cert.ca && cert.raw.includes(NAME_CONSTRAINTS_OID) ? readNameConstraints(new x509.X509Certificate(cert.raw)) : null,
  };
}

/** Parses every certificate in PEM or DER data. */
export function inspectCertificates(data: Buffer): CertificateReport[] {
  return certificatesFrom(data).map((der) => {
    try {
      return reportOf(new X509Certificate(der));
    } catch {
      throw invalid('corrupt certificate: it is not valid X.509 DER');
    }
  });
}
