import { createHash, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import type * as Forge from 'node-forge';
import { forge } from '../libs/forge.ts';
import { pemBlocks } from './pem.ts';
import { binary, derBytes, explicit0, integer, octets, oid, seq, set, type Asn1 } from './der.ts';
import { readPrivateKey } from './keys.ts';
import { UserError, invalid } from '../errors.ts';

/**
 * PKCS#12 (.p12 / .pfx) files: a private key with its certificate chain, under one password.
 *
 * Native crypto has no PKCS#12 API and node-forge cannot read or write EC keys, so the work is
 * split: Node encrypts the key (PBES2: PBKDF2-HMAC-SHA256 + AES-256-CBC, any key type) and forge's
 * ASN.1 builders and PKCS#12 key derivation assemble the container and its SHA-256 MAC.
 */


/** OpenSSL's default; the MAC only guards integrity, the key has its own PBKDF2. */
const MAC_ITERATIONS = 2048;

/** localKeyId pairs the key bag with its certificate bag; friendlyName is what key stores display. */
function bagAttributes(localKeyId: string, friendlyName: string): Asn1 {
  return set([
    seq([oid(forge.pki.oids.localKeyId!), set([octets(localKeyId)])]),
    seq([oid(forge.pki.oids.friendlyName!), set([forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.BMPSTRING, false, friendlyName)])]),
  ]);
}

function certBag(der: Buffer, attributes?: Asn1): Asn1 {
  const value = explicit0(seq([oid(forge.pki.oids.x509Certificate!), explicit0(octets(binary(der)))]));
  return seq([oid(forge.pki.oids.certBag!), value, ...(attributes ? [attributes] : [])]);
}

/** ContentInfo of type data around a SafeContents. */
function dataContent(bags: Asn1[]): Asn1 {
  return seq([oid(forge.pki.oids.data!), explicit0(octets(derBytes(seq(bags))))]);
}

function hmacSha256(password: string, salt: string, data: string): string {
  const key = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt), 3, MAC_ITERATIONS, 32, forge.md.sha256.create());
  const mac = forge.hmac.create();
  mac.start(forge.md.sha256.create(), key);
  mac.update(data);
  return mac.digest().getBytes();
}

export interface Pkcs12Input {
  /** The private key, as a KeyObject or PKCS#8 DER. */
  key: KeyObject | Buffer;
  /** The key's certificate first, then the chain (DER). */
  certs: Buffer[];
  password: string;
  /** Shown by key stores (Windows, Java, macOS) as the entry's name. */
  friendlyName: string;
}

/** A PKCS#12 file with the key (pkcs8ShroudedKeyBag), the leaf and its chain, and a SHA-256 MAC. */
export function buildPkcs12(input: Pkcs12Input): Buffer {
  if (input.certs.length === 0) throw invalid('a PKCS#12 file needs the key\'s certificate');
  const key = Buffer.isBuffer(input.key) ? createPrivateKey({ key: input.key, format: 'der', type: 'pkcs8' }) : input.key;
  // Node writes EncryptedPrivateKeyInfo for RSA and EC alike: exactly the body of a shrouded key bag.
  const encryptedKey = key.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: input.password });
  const localKeyId = binary(createHash('sha1').update(input.certs[0]!).digest());
  const attributes = bagAttributes(localKeyId, input.friendlyName);
  const keyBag = seq([oid(forge.pki.oids.pkcs8ShroudedKeyBag!), explicit0(forge.asn1.fromDer(binary(encryptedKey))), attributes]);
  // Certificates are public: they go unencrypted, which every PKCS#12 reader accepts.
  const certBags = input.certs.map((der, i) => certBag(der, i === 0 ? attributes : undefined));
  const authSafe = derBytes(seq([dataContent(certBags), dataContent([keyBag])]));
  const salt = binary(randomBytes(16));
  const macData = seq([
    seq([seq([oid(forge.pki.oids.sha256!), forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.NULL, false, '')]), octets(hmacSha256(input.password, salt, authSafe))]),
    octets(salt),
    integer(MAC_ITERATIONS),
  ]);
  const pfx = seq([integer(3), seq([oid(forge.pki.oids.data!), explicit0(octets(authSafe))]), macData]);
  return Buffer.from(derBytes(pfx), 'binary');
}

/** PEM text of the key and of the certificates (leaf first) to a PKCS#12 file. */
export function pkcs12FromPem(opts: { keyPem: string; certsPem: string; password: string; friendlyName: string }): Buffer {
  const certs = pemBlocks(opts.certsPem).filter((b) => b.label === 'CERTIFICATE').map((b) => b.der);
  return buildPkcs12({ key: readPrivateKey(opts.keyPem), certs, password: opts.password, friendlyName: opts.friendlyName });
}

export interface Pkcs12Contents {
  keys: KeyObject[];
  /** DER of every certificate, exactly as stored, in file order. */
  certs: Buffer[];
}

/** A file we cannot make sense of: one message, whatever part of the structure was wrong. */
class Malformed extends Error {}

function expect(node: Asn1 | undefined, tagClass: number, type: number): Asn1 {
  if (!node || node.tagClass !== tagClass || node.type !== type) throw new Malformed();
  return node;
}
const expectSeq = (node: Asn1 | undefined): Asn1[] => expect(node, forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE).value as Asn1[];
const oidOf = (node: Asn1 | undefined): string => forge.asn1.derToOid(expect(node, forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OID).value as string);

/** OCTET STRING content; BER writers may split it into a constructed string of chunks. */
function octetContent(node: Asn1 | undefined): string {
  if (!node) throw new Malformed();
  if (Array.isArray(node.value)) return node.value.map((child) => octetContent(child)).join('');
  return node.value;
}

/** The [0] EXPLICIT content of a ContentInfo or bag. */
function explicitContent(node: Asn1 | undefined): Asn1 {
  const wrapper = expect(node, forge.asn1.Class.CONTEXT_SPECIFIC, 0);
  const inner = (wrapper.value as Asn1[])[0];
  if (!inner) throw new Malformed();
  return inner;
}

/** A function, not a table built at load: node-forge loads on first use. */
const macDigests = (): Record<string, () => Forge.md.MessageDigest> => ({
  [forge.pki.oids.sha1!]: () => forge.md.sha1.create(),
  [forge.pki.oids.sha256!]: () => forge.md.sha256.create(),
  [forge.pki.oids.sha384!]: () => forge.md.sha384.create() as unknown as Forge.md.MessageDigest,
  [forge.pki.oids.sha512!]: () => forge.md.sha512.create() as unknown as Forge.md.MessageDigest,
});

/** Checks the password-integrity MAC (RFC 7292 appendix B key derivation, the password as BMPString). */
function checkMac(macData: Asn1, authSafe: string, password: string): void {
  const [digestInfo, saltNode, iterNode] = expectSeq(macData);
  const [algorithm, digestNode] = expectSeq(digestInfo);
  const makeDigest = macDigests()[oidOf(expectSeq(algorithm)[0])];
  if (!makeDigest) throw invalid('the PKCS#12 file uses an unsupported MAC algorithm');
  const iterations = iterNode ? forge.asn1.derToInteger(expect(iterNode, forge.asn1.Class.UNIVERSAL, forge.asn1.Type.INTEGER).value as string) : 1;
  if (!(iterations >= 1 && iterations <= 10_000_000)) throw invalid('the PKCS#12 file has an implausible MAC iteration count');
  const salt = octetContent(saltNode);
  const expected = octetContent(digestNode);
  // An empty password has two encodings (no bytes, or just the terminator); writers use either.
  for (const candidate of password === '' ? ['', null] : [password]) {
    const md = makeDigest();
    const key = forge.pkcs12.generateKey(candidate, forge.util.createBuffer(salt), 3, iterations, md.digestLength, makeDigest());
    const mac = forge.hmac.create();
    mac.start(makeDigest(), key);
    mac.update(authSafe);
    if (mac.digest().getBytes() === expected) return;
  }
  throw new UserError('bad-passphrase', 'wrong password for the PKCS#12 file');
}

/** An encryptedData ContentInfo body (certificates are often kept encrypted): forge's PBE ciphers. */
function decryptSafe(encryptedData: Asn1, password: string): string {
  const [, encryptedContentInfo] = expectSeq(encryptedData);
  const [, algorithm, content] = expectSeq(encryptedContentInfo);
  const [algOid, params] = expectSeq(algorithm);
  const id = oidOf(algOid);
  // PBES2 (PKCS#5) takes the password as UTF-8 bytes; the PKCS#12 PBEs take it as BMPString.
  const pass = id === forge.pki.oids.pkcs5PBES2 ? forge.util.encodeUtf8(password) : password;
  let cipher: Forge.cipher.BlockCipher;
  try {
    cipher = (forge.pki as unknown as { pbe: { getCipher(o: string, p: Asn1 | undefined, pw: string): Forge.cipher.BlockCipher } }).pbe.getCipher(id, params, pass);
  } catch {
    throw invalid('the PKCS#12 file encrypts its certificates with an unsupported algorithm');
  }
  if (!content || content.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC || content.type !== 0) throw new Malformed();
  cipher.update(forge.util.createBuffer(octetContent(content)));
  if (!cipher.finish()) throw new UserError('bad-passphrase', 'wrong password for the PKCS#12 file');
  return cipher.output.getBytes();
}

function readKey(der: string, password: string | undefined): KeyObject {
  const key = Buffer.from(der, 'binary');
  try {
    return password === undefined
      ? createPrivateKey({ key, format: 'der', type: 'pkcs8' })
      : createPrivateKey({ key, format: 'der', type: 'pkcs8', passphrase: password });
  } catch {
    throw password === undefined
      ? invalid('the PKCS#12 file holds a private key that cannot be read')
      : new UserError('bad-passphrase', 'cannot decrypt the private key in the PKCS#12 file: wrong password or an unsupported cipher');
  }
}

function readBags(safeContents: string, password: string, out: Pkcs12Contents, depth = 0): void {
  if (depth > 4) throw new Malformed();
  for (const bag of expectSeq(forge.asn1.fromDer(safeContents))) {
    const [bagId, bagValue] = expectSeq(bag);
    const type = oidOf(bagId);
    const value = explicitContent(bagValue);
    if (type === forge.pki.oids.pkcs8ShroudedKeyBag) {
      // Node decrypts EncryptedPrivateKeyInfo of any key type, with the password as the spec wants.
      out.keys.push(readKey(derBytes(value), password));
    } else if (type === forge.pki.oids.keyBag) {
      out.keys.push(readKey(derBytes(value), undefined));
    } else if (type === forge.pki.oids.certBag) {
      const [certType, certValue] = expectSeq(value);
      if (oidOf(certType) !== forge.pki.oids.x509Certificate) continue;
      out.certs.push(Buffer.from(octetContent(explicitContent(certValue)), 'binary'));
    } else if (type === forge.pki.oids.safeContentsBag) {
      readBags(derBytes(value), password, out, depth + 1);
    }
    // CRL and secret bags carry nothing a CA import needs.
  }
}

/** Reads a PKCS#12 file: checks its MAC, decrypts its keys and certificates, returns both. */
export function readPkcs12(data: Buffer, password: string): Pkcs12Contents {
  const out: Pkcs12Contents = { keys: [], certs: [] };
  try {
    const [version, authSafeInfo, macData] = expectSeq(forge.asn1.fromDer(binary(data)));
    if (forge.asn1.derToInteger(expect(version, forge.asn1.Class.UNIVERSAL, forge.asn1.Type.INTEGER).value as string) !== 3) throw new Malformed();
    const [contentType, content] = expectSeq(authSafeInfo);
    if (oidOf(contentType) !== forge.pki.oids.data) throw invalid('the PKCS#12 file uses public-key integrity mode, which is not supported');
    const authSafe = octetContent(explicitContent(content));
    if (!macData) throw invalid('the PKCS#12 file has no password MAC: refusing a file whose integrity cannot be checked');
    checkMac(macData, authSafe, password);
    for (const info of expectSeq(forge.asn1.fromDer(authSafe))) {
      const [type, body] = expectSeq(info);
      const id = oidOf(type);
      if (id === forge.pki.oids.data) readBags(octetContent(explicitContent(body)), password, out);
      else if (id === forge.pki.oids.encryptedData) readBags(decryptSafe(explicitContent(body), password), password, out);
      else throw invalid('the PKCS#12 file holds public-key encrypted contents, which are not supported');
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw invalid('not a readable PKCS#12 file (a .p12/.pfx file is binary DER, protected by a password)');
  }
  return out;
}

/** Whether the bytes have the outer shape of a PFX (version 3, then authSafe ContentInfo of data or signedData); reads no secret. */
export function looksLikePkcs12(data: Buffer): boolean {
  if (data.length < 16 || data[0] !== 0x30) return false;
  try {
    const pfx = forge.asn1.fromDer(binary(data), true).value as Asn1[];
    const version = pfx[0]?.type === forge.asn1.Type.INTEGER ? forge.util.createBuffer(pfx[0].value as string).getInt(8 * (pfx[0].value as string).length) : -1;
    const content = pfx[1]?.value as Asn1[] | undefined;
    const type = content?.[0]?.type === forge.asn1.Type.OID ? forge.asn1.derToOid(content[0].value as string) : '';
    return version === 3 && (type === '1.2.840.113549.1.7.1' || type === '1.2.840.113549.1.7.2');
  } catch {
    return false;
  }
}
