import { createHash, KeyObject, sign } from 'node:crypto';
import { asn1Schema, asn1X509 } from '../libs/asn1.ts';
import { x509 } from './provider.ts';
import type { KeyType } from './policy.ts';
import { invalid } from '../errors.ts';

// A node certificate assembled from DER parts. @peculiar/x509 encodes every part here (names,
// extensions, validity, PEM), but its generator also parses each extension back, serializes the
// certificate twice and parses the result again: ~4 ms of main-thread JavaScript per leaf, which
// bounded bulk issuance at ~10x native keygen + sign. The parts a CA's leaves share are encoded once;
// per leaf only the serial, subject, SANs and SKI are, and the signature is Node's native sign().
// test/unit/leaf-der.test.ts proves the to-be-signed bytes equal the library generator's.

/** One DER element: tag, definite length, contents. */
function tlv(tag: number, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  let head: number[];
  if (n < 0x80) head = [tag, n];
  else if (n < 0x100) head = [tag, 0x81, n];
  else if (n < 0x10000) head = [tag, 0x82, n >> 8, n & 0xff];
  else head = [tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from(head), body]);
}

/** The element starting at `at`: where its contents start and where it ends. */
function element(der: Buffer, at: number): { tag: number; start: number; end: number } {
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const bytes = len & 0x7f;
    if (bytes < 1 || bytes > 3) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < bytes; i++) len = (len << 8) | der[start + i]!;
    start += bytes;
  }
  if (start + len > der.length) throw new Error('truncated DER');
  return { tag, start, end: start + len };
}

/** The CA certificate's subject exactly as it is encoded there: the leaves' issuer, byte for byte. */
function subjectOf(caDer: Buffer): Buffer {
  const tbs = element(caDer, element(caDer, 0).start);
  let at = tbs.start;
  if (caDer[at] === 0xa0) at = element(caDer, at).end; // version
  for (let i = 0; i < 4; i++) at = element(caDer, at).end; // serial, signature, issuer, validity
  return caDer.subarray(at, element(caDer, at).end);
}

const RSA_ENCRYPTION = Buffer.from('06092a864886f70d010101', 'hex');

/**
 * A SubjectPublicKeyInfo's parts, or a clear error for anything else: whether it is an RSA key, and
 * its BIT STRING contents without the unused-bits byte, which the SKI's SHA-1 covers (RFC 5280
 * 4.2.1.2 (1)). As before, the key itself is checked where it comes from (a CSR's signature, our keygen).
 */
export function spkiParts(spki: Buffer): { rsa: boolean; bits: Buffer } {
  try {
    const outer = element(spki, 0);
    const algorithm = element(spki, outer.start);
    const oid = element(spki, algorithm.start);
    const bits = element(spki, algorithm.end);
    if (outer.tag !== 0x30 || outer.end !== spki.length || algorithm.tag !== 0x30 || oid.tag !== 0x06 || bits.tag !== 0x03 || bits.end !== outer.end || bits.end - bits.start < 2) throw new Error('shape');
    return { rsa: spki.subarray(algorithm.start, oid.end).equals(RSA_ENCRYPTION), bits: spki.subarray(bits.start + 1, bits.end) };
  } catch {
    throw invalid('the public key is not a readable SubjectPublicKeyInfo');
  }
}

const SIGNATURE: Record<'ecdsa-p256' | 'ecdsa-p384' | 'rsa', { algorithm: Buffer; hash: string }> = {
  // ecdsa-with-SHA256 / SHA384 (no parameters, RFC 5758), sha256WithRSAEncryption (NULL parameters, RFC 4055).
  'ecdsa-p256': { algorithm: Buffer.from('300a06082a8648ce3d040302', 'hex'), hash: 'sha256' },
  'ecdsa-p384': { algorithm: Buffer.from('300a06082a8648ce3d040303', 'hex'), hash: 'sha384' },
  rsa: { algorithm: Buffer.from('300d06092a864886f70d01010b0500', 'hex'), hash: 'sha256' },
};

export function signatureOf(keyType: KeyType): { algorithm: Buffer; hash: string } {
  return SIGNATURE[keyType.startsWith('rsa') ? 'rsa' : (keyType as 'ecdsa-p256' | 'ecdsa-p384')];
}

/** What a CA's leaves share, encoded once. */
export interface LeafTemplate {
  issuer: Buffer;
  signature: { algorithm: Buffer; hash: string };
  key: KeyObject;
  /** The AKI extension, DER. */
  aki: Buffer;
}

export function leafTemplate(caDer: Buffer, key: KeyObject | CryptoKey, keyType: KeyType, aki: x509.Extension): LeafTemplate {
  return { issuer: subjectOf(caDer), signature: signatureOf(keyType), key: key instanceof KeyObject ? key : KeyObject.from(key), aki: Buffer.from(aki.rawData) };
}

export interface LeafParts {
  serialHex: string;
  commonName: string;
  dns: string[];
  ips: string[];
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  /** basicConstraints, keyUsage, extendedKeyUsage: shared by a batch. */
  usage: x509.Extension[];
}

const validityCache = new Map<string, Buffer>();

function validityDer(notBefore: Date, notAfter: Date): Buffer {
  const key = `${notBefore.getTime()}|${notAfter.getTime()}`;
  let der = validityCache.get(key);
  if (!der) {
    // UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5): the library's Time does it.
    der = Buffer.from(asn1Schema.AsnConvert.serialize(new asn1X509.Validity({ notBefore, notAfter })));
    if (validityCache.size > 64) validityCache.clear();
    validityCache.set(key, der);
  }
  return der;
}

const V3 = Buffer.from('a003020102', 'hex');
const SAN_OID = Buffer.from('0603551d11', 'hex'); // 2.5.29.17
const SKI_OID = Buffer.from('0603551d0e', 'hex'); // 2.5.29.14

/** A non-critical extension: OID and its value in an OCTET STRING (critical FALSE is left out, as DER wants). */
const extension = (oid: Buffer, value: Uint8Array): Buffer => tlv(0x30, oid, tlv(0x04, value));

/** The TBSCertificate of a leaf. */
export function leafTbs(t: LeafTemplate, p: LeafParts): Buffer {
  const subject = Buffer.from(new x509.Name([{ CN: [p.commonName] }]).toArrayBuffer());
  // The library's GeneralName encodes names and IPs (v4: 4 bytes, v6: 16); its Extension class would parse them back.
  const names = [...p.dns.map((dNSName) => new asn1X509.GeneralName({ dNSName })), ...p.ips.map((iPAddress) => new asn1X509.GeneralName({ iPAddress }))];
  const san = extension(SAN_OID, new Uint8Array(asn1Schema.AsnConvert.serialize(new asn1X509.SubjectAlternativeName(names))));
  const ski = extension(SKI_OID, tlv(0x04, createHash('sha1').update(spkiParts(p.spki).bits).digest()));
  const extensions = tlv(0xa3, tlv(0x30, ...p.usage.map((e) => new Uint8Array(e.rawData)), san, ski, t.aki));
  return tlv(0x30, V3, tlv(0x02, Buffer.from(p.serialHex, 'hex')), t.signature.algorithm, t.issuer, validityDer(p.notBefore, p.notAfter), subject, p.spki, extensions);
}

/** Signs a TBSCertificate: the whole certificate as DER. ECDSA signatures come DER-encoded, as X.509 wants. */
export function signTbs(t: LeafTemplate, tbs: Buffer): Buffer {
  const signature = sign(t.signature.hash, tbs, t.key);
  return tlv(0x30, tbs, t.signature.algorithm, tlv(0x03, Buffer.from([0]), signature));
}
