import { createHash, X509Certificate } from 'node:crypto';
import { pemBase64, pemBlocks, pemSections, toPem } from '../pki/pem.ts';
import { invalid } from '../errors.ts';

const CERT_LABELS = new Set(['CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CERTIFICATE']);

/** The CA as trust stores see it: its bytes, the fingerprints we match by, and the names we file it under. */
export interface TrustedCa {
  pem: string;
  der: Buffer;
  /** Lower-case hex. Stores are searched by this, never by a name. */
  sha256: string;
  /** Lower-case hex; macOS and Windows tools address certificates by their SHA-1 thumbprint. */
  sha1: string;
  subject: string;
  /**
   * File stem, NSS nickname and keystore alias: `cluster-trust-<name>-<first 16 hex of SHA-256>`, so two
   * CAs (even with the same name) never land on the same file.
   */
  label: string;
}

/** Lower-case words joined by dashes; what is safe in a file name, a nickname and an alias alike. */
function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
}

function commonName(cert: X509Certificate): string {
  return cert.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? '';
}

/**
 * Checks that the text is exactly one CA certificate and nothing else (a private key pasted by
 * mistake must never travel towards a trust store).
 */
export function parseTrustedCa(pem: string, name?: string): TrustedCa {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN')) throw invalid('the CA certificate is not PEM text (no -----BEGIN line)');
  const blocks = pemBlocks(pem);
  if (blocks.some((b) => b.label.includes('PRIVATE KEY'))) throw invalid('that text holds a private key: a trust store takes only the CA certificate');
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE');
  if (certs.length !== 1 || blocks.length !== 1) {
    throw invalid(`expected exactly one CERTIFICATE block, found ${certs.length} certificate(s) among ${blocks.length} PEM block(s)`);
  }
  const der = certs[0]!.der;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    throw invalid('the CA certificate is corrupt: it is not valid X.509');
  }
  if (!cert.ca) throw invalid(`${cert.subject.replace(/\n/g, ', ')} is not a CA certificate (basicConstraints CA:TRUE is missing)`);
  const sha256 = createHash('sha256').update(der).digest('hex');
  const stem = slug(name ?? commonName(cert)) || 'ca';
  return {
    pem: toPem('CERTIFICATE', der),
    der,
    sha256,
    sha1: createHash('sha1').update(der).digest('hex'),
    subject: cert.subject.replace(/\n/g, ', '),
    label: `cluster-trust-${stem}-${sha256.slice(0, 16)}`,
  };
}

/**
 * The certificate inside a DER blob: OpenSSL's TRUSTED CERTIFICATE appends trust settings after
 * the certificate's SEQUENCE, so hash only that first element (its length comes from its header).
 */
function firstDerElement(der: Buffer): Buffer | null {
  if (der.length < 2 || der[0] !== 0x30) return null;
  const first = der[1]!;
  if (first < 0x80) return der.subarray(0, 2 + first);
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.length < 2 + n) return null;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[2 + i]!;
  return 2 + n + len <= der.length ? der.subarray(0, 2 + n + len) : null;
}

/**
 * SHA-256 of every certificate in a file's bytes (PEM with any number of blocks, or one DER
 * certificate). Unreadable parts are skipped: stores hold files that are not ours.
 */
export function fingerprintsIn(data: Buffer): string[] {
  const text = data.toString('latin1');
  const out: string[] = [];
  if (!text.includes('-----BEGIN')) {
    const der = firstDerElement(data);
    if (der) out.push(createHash('sha256').update(der).digest('hex'));
    return out;
  }
  for (const { label, body } of pemSections(text)) {
    const b64 = body === undefined || !CERT_LABELS.has(label) ? undefined : pemBase64(body);
    if (b64 === undefined) continue;
    const der = firstDerElement(Buffer.from(b64, 'base64'));
    if (der) out.push(createHash('sha256').update(der).digest('hex'));
  }
  return out;
}
