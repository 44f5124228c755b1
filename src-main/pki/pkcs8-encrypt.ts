import { createCipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { asn1js } from '../libs/asn1.ts';
import { binary, derBytes, integer, nullValue, octets, oid, seq } from './der.ts';
import { pemBase64, pemSections, toPem } from './pem.ts';

/**
 * PKCS#8 encryption strong enough for the CA key: PBES2 with PBKDF2-HMAC-SHA256 at 600,000
 * iterations (OWASP's figure for PBKDF2-SHA256) for a passphrase a person chose, and AES-256-CBC. Node's own export fixes PBKDF2 at
 * 2,048 iterations, so the structure is assembled here; `openssl pkey` and Node read it as usual.
 * (scrypt would be stronger per second, but OpenSSL refuses PKCS#8 scrypt above 32 MB of memory,
 * which caps it below the recommended cost.)
 */

export const CA_KEY_ITERATIONS = 600_000;

/**
 * The count for a passphrase the app generated (256 random bits, kept in the keychain). Iterations
 * only slow the guessing of a secret with little entropy; nobody can enumerate 2^256 passphrases
 * at any cost per guess, so 600,000 would only cost every signing ~0.4 s for nothing. 2,048 is
 * OpenSSL's own PKCS#8 default, so every tool reads it.
 */
export const GENERATED_PASSPHRASE_ITERATIONS = 2_048;

/** The PBKDF2 count a CA key gets: cheap only for a passphrase the app generated itself. */
export function caKeyIterations(passphrase: 'generated' | 'chosen'): number {
  return passphrase === 'generated' ? GENERATED_PASSPHRASE_ITERATIONS : CA_KEY_ITERATIONS;
}

const OID = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
};

export function encryptPkcs8Strong(pkcs8Der: Buffer, passphrase: string, iterations: number): string {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(passphrase, salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(pkcs8Der), cipher.final()]);
  const kdf = seq([oid(OID.pbkdf2), seq([octets(binary(salt)), integer(iterations), integer(32), seq([oid(OID.hmacWithSha256), nullValue()])])]);
  const scheme = seq([oid(OID.aes256Cbc), octets(binary(iv))]);
  const info = seq([seq([oid(OID.pbes2), seq([kdf, scheme])]), octets(binary(encrypted))]);
  return toPem('ENCRYPTED PRIVATE KEY', Buffer.from(derBytes(info), 'binary'));
}

/**
 * The PBKDF2 iteration count of an encrypted PKCS#8 PEM, or null when it is not PBES2 with PBKDF2
 * (another KDF, or not encrypted PKCS#8 at all).
 */
export function pkcs8Iterations(pem: string): number | null {
  const body = [...pemSections(pem)].find((s) => s.label === 'ENCRYPTED PRIVATE KEY')?.body;
  const b64 = body === undefined ? undefined : pemBase64(body);
  if (b64 === undefined) return null;
  // asn1js, not node-forge: every unlock reads this, and the signing path has asn1js loaded already.
  const parsed = asn1js.fromBER(Buffer.from(b64, 'base64'));
  if (parsed.offset === -1) return null;
  const at = (node: unknown, i: number): unknown => (node instanceof asn1js.Sequence ? node.valueBlock.value[i] : undefined);
  const oidOf = (node: unknown): string | undefined => (node instanceof asn1js.ObjectIdentifier ? node.valueBlock.toString() : undefined);
  const algorithm = at(parsed.result, 0);
  if (oidOf(at(algorithm, 0)) !== OID.pbes2) return null;
  const kdf = at(at(algorithm, 1), 0);
  if (oidOf(at(kdf, 0)) !== OID.pbkdf2) return null;
  const count = at(at(kdf, 1), 1);
  if (!(count instanceof asn1js.Integer)) return null;
  const n = count.toBigInt();
  return n > 0n && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : null;
}
