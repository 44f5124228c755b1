import { X509Certificate as NodeX509 } from 'node:crypto';
import { subtle, x509 } from './provider.ts';
import { spkiParts, leafTbs, leafTemplate, signTbs, type LeafTemplate } from './leaf-der.ts';
import { generateKey, signingAlgorithm, type GeneratedKey } from './keys.ts';
import { randomSerial } from './serial.ts';
import { BACKDATE_MS, CA_DEFAULT_DAYS, CA_MAX_DAYS, LEAF_DEFAULT_DAYS, LEAF_MAX_DAYS, type KeyType } from './policy.ts';
import { constraintViolation, nameConstraintsExtension, readNameConstraints, type NameConstraintsInfo } from './name-constraints.ts';
import { invalid } from '../errors.ts';
import { caSubjectName, type CaSubject } from './ca-subject.ts';
import { DAY_MS } from './days.ts';


/** PEM files are concatenated into chains and CA bundles: each must end with a newline. */
function pemWithNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

export interface CaMaterial {
  certPem: string;
  /** Parsed once: issuing many leaves must not re-parse the CA. */
  cert: x509.X509Certificate;
  signingKey: CryptoKey;
  keyType: KeyType;
}

export function checkDays(days: number, max: number, what: string): number {
  if (!Number.isInteger(days) || days < 1) throw invalid(`--days must be a whole number of days of at least 1 (got ${days})`);
  if (days > max) throw invalid(`--days ${days} is above the ${max}-day maximum for ${what}`);
  return days;
}

function validity(days: number, now: Date): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

export interface NewCa {
  certPem: string;
  key: GeneratedKey;
}

/**
 * A self-signed root: CA:true critical, keyCertSign+cRLSign critical, SKI, and, when given, critical
 * nameConstraints limiting it to the cluster's names. One tier (the default): pathlen 0, it signs
 * leaves (so also digitalSignature). The root of two tiers: pathlen 1, it signs intermediates only.
 */
export async function createRootCa(opts: { name: string; keyType: KeyType; days?: number; now?: Date; nameConstraints?: NameConstraintsInfo; twoTier?: boolean; subject?: CaSubject }): Promise<NewCa> {
  const name = opts.name.trim();
  if (!name || name.length > 64) throw invalid('the CA name must be 1 to 64 characters');
  const days = checkDays(opts.days ?? CA_DEFAULT_DAYS, CA_MAX_DAYS, 'a CA');
  const key = await generateKey(opts.keyType);
  const usage = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | (opts.twoTier ? 0 : x509.KeyUsageFlags.digitalSignature);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: caSubjectName(name, opts.subject),
    ...validity(days, opts.now ?? new Date()),
    keys: { privateKey: key.privateKey, publicKey: key.publicKey },
    signingAlgorithm: signingAlgorithm(opts.keyType),
    extensions: [
      new x509.BasicConstraintsExtension(true, opts.twoTier ? 1 : 0, true),
      new x509.KeyUsagesExtension(usage, true),
      await x509.SubjectKeyIdentifierExtension.create(key.publicKey),
      ...(opts.nameConstraints ? [nameConstraintsExtension(opts.nameConstraints)] : []),
    ],
  });
  return { certPem: pemWithNewline(cert.toString('pem')), key };
}

/**
 * An intermediate signed by a two-tier root: CA:true pathlen 0 critical (it signs leaves only),
 * keyCertSign+cRLSign+digitalSignature critical, SKI, AKI (the root's SKI), and the root's
 * nameConstraints again (critical), so the intermediate alone already limits what it can sign.
 * It never outlives its root.
 */
export async function createIntermediateCa(root: CaMaterial, opts: { name: string; keyType: KeyType; days?: number; now?: Date; nameConstraints?: NameConstraintsInfo; subject?: CaSubject }): Promise<NewCa> {
  const name = opts.name.trim();
  if (!name || name.length > 64) throw invalid(`the intermediate's name "${name}" must be 1 to 64 characters (use a shorter --name)`);
  const days = checkDays(opts.days ?? CA_DEFAULT_DAYS, CA_MAX_DAYS, 'a CA');
  const key = await generateKey(opts.keyType);
  const { notBefore, notAfter: wanted } = validity(days, opts.now ?? new Date());
  const notAfter = wanted > root.cert.notAfter ? root.cert.notAfter : wanted;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: caSubjectName(name, opts.subject),
    issuer: root.cert.subjectName,
    notBefore,
    notAfter,
    publicKey: key.publicKey,
    signingKey: root.signingKey,
    signingAlgorithm: signingAlgorithm(root.keyType),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(key.publicKey),
      await authorityKeyId(root),
      ...(opts.nameConstraints ? [nameConstraintsExtension(opts.nameConstraints)] : []),
    ],
  });
  return { certPem: pemWithNewline(cert.toString('pem')), key };
}

export interface LeafRequest {
  commonName: string;
  dns: string[];
  ips: string[];
  server: boolean;
  client: boolean;
  days?: number;
  /** The subject's public key: a CryptoKey we generated, or SPKI DER from a CSR. */
  publicKey: CryptoKey | ArrayBuffer;
  now?: Date;
}

/**
 * Extensions every leaf of a batch shares are made once: building one is ASN.1 work in JavaScript
 * on the main thread, which bounds bulk issuance. Extension objects are immutable, so sharing is safe.
 */
const sharedAki = new WeakMap<x509.X509Certificate, Promise<x509.Extension>>();
const sharedUsage = new Map<string, x509.Extension[]>();

function leafUsageExtensions(keyUsage: number, usages: string[]): x509.Extension[] {
  const key = `${keyUsage}|${usages.join(',')}`;
  let exts = sharedUsage.get(key);
  if (!exts) {
    exts = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(keyUsage, true),
      new x509.ExtendedKeyUsageExtension(usages, false),
    ];
    sharedUsage.set(key, exts);
  }
  return exts;
}

function cachedAuthorityKeyId(ca: CaMaterial): Promise<x509.Extension> {
  let aki = sharedAki.get(ca.cert);
  if (!aki) {
    aki = authorityKeyId(ca);
    sharedAki.set(ca.cert, aki);
  }
  return aki;
}

export interface IssuedLeaf {
  certPem: string;
  /** The certificate's DER, for fingerprints without parsing it again. */
  der: Buffer;
  serial: string;
  /** As encoded in the certificate (whole seconds). */
  notBefore: Date;
  notAfter: Date;
}

export async function issueLeaf(ca: CaMaterial, req: LeafRequest): Promise<IssuedLeaf> {
  const days = checkDays(req.days ?? LEAF_DEFAULT_DAYS, LEAF_MAX_DAYS, 'node certificates');
  if (!req.server && !req.client) throw invalid('a node certificate needs serverAuth, clientAuth or both');
  if (req.dns.length + req.ips.length === 0) throw invalid(`node "${req.commonName}" has no DNS name or IP address to put in the certificate`);
  // Every issuance (issue, renew, sign-csr) passes here: a name the CA may not sign is never signed.
  const constraints = readNameConstraints(ca.cert);
  const outside = constraints && constraintViolation(constraints, { dns: req.dns, ips: req.ips, commonName: req.commonName });
  if (outside) throw invalid(`cannot sign for "${req.commonName}": ${outside}`);
  const { notBefore, notAfter: wanted } = validity(days, req.now ?? new Date());
  // A leaf never outlives its CA: verifiers would reject it on that day anyway.
  const notAfter = wanted > ca.cert.notAfter ? ca.cert.notAfter : wanted;
  const usages: string[] = [];
  if (req.server) usages.push(x509.ExtendedKeyUsage.serverAuth);
  if (req.client) usages.push(x509.ExtendedKeyUsage.clientAuth);
  const spki = req.publicKey instanceof ArrayBuffer ? Buffer.from(req.publicKey) : Buffer.from(await subtle.exportKey('spki', req.publicKey));
  // keyEncipherment only means something for RSA key transport; ECDSA leaves sign only.
  const rsaLeaf = spkiParts(spki).rsa;
  const keyUsage = x509.KeyUsageFlags.digitalSignature | (rsaLeaf ? x509.KeyUsageFlags.keyEncipherment : 0);
  const serial = randomSerial();
  // Whole seconds, as the certificate encodes them.
  const seconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);
  const parts = { serialHex: serial, commonName: req.commonName, dns: req.dns, ips: req.ips, notBefore: seconds(notBefore), notAfter: seconds(notAfter), spki, usage: leafUsageExtensions(keyUsage, usages) };
  const der = signTbs(await templateOf(ca), leafTbs(await templateOf(ca), parts));
  return { certPem: pemWithNewline(x509.PemConverter.encode(der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer, 'CERTIFICATE')), der, serial, notBefore: parts.notBefore, notAfter: parts.notAfter };
}

const templates = new WeakMap<CaMaterial, Promise<LeafTemplate>>();

/** What every leaf of this CA shares, encoded once per unlocked CA. */
function templateOf(ca: CaMaterial): Promise<LeafTemplate> {
  let t = templates.get(ca);
  if (!t) {
    t = cachedAuthorityKeyId(ca).then((aki) => leafTemplate(Buffer.from(ca.cert.rawData), ca.signingKey, ca.keyType, aki));
    templates.set(ca, t);
  }
  return t;
}

/** AKI taken from the CA's own SKI when it has one (an imported CA may not use the SHA-1 method). */
export async function authorityKeyId(ca: Pick<CaMaterial, 'cert'>): Promise<x509.Extension> {
  const ski = ca.cert.getExtension(x509.SubjectKeyIdentifierExtension);
  return ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId, false) : x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey, false);
}

export function parseCaCertificate(pem: string): x509.X509Certificate {
  return new x509.X509Certificate(pem);
}

/** Checks that a certificate can act as our CA (native parser, so malformed input fails early). */
export function assertIsCa(pem: string): NodeX509 {
  let cert: NodeX509;
  try {
    cert = new NodeX509(pem);
  } catch {
    throw invalid('the CA certificate is not a readable X.509 certificate');
  }
  if (!cert.ca) throw invalid('that certificate is not a CA certificate (basicConstraints CA:true is missing)');
  return cert;
}
