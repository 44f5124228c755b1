import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { subtle } from './provider.ts';
import { type KeyType } from './policy.ts';
import { invalid, UserError } from '../errors.ts';

type KeyAlgorithm = RsaHashedImportParams | EcKeyImportParams;

/** The WebCrypto algorithm a key of this type is generated and imported with. */
export function keyAlgorithm(type: KeyType): KeyAlgorithm {
  switch (type) {
    case 'ecdsa-p256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ecdsa-p384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    default:
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  }
}

/** The signature algorithm a signer of this key type uses. */
export function signingAlgorithm(type: KeyType): Algorithm & { hash?: string } {
  switch (type) {
    case 'ecdsa-p256':
      return { name: 'ECDSA', hash: 'SHA-256' };
    case 'ecdsa-p384':
      return { name: 'ECDSA', hash: 'SHA-384' };
    default:
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  }
}

function rsaBits(type: KeyType): number {
  return Number(type.slice(4));
}

export interface GeneratedKey {
  type: KeyType;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

export async function generateKey(type: KeyType): Promise<GeneratedKey> {
  const alg = keyAlgorithm(type);
  const params = type.startsWith('rsa')
    ? { ...alg, modulusLength: rsaBits(type), publicExponent: new Uint8Array([1, 0, 1]) }
    : alg;
  const pair = (await subtle.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair;
  return { type, privateKey: pair.privateKey, publicKey: pair.publicKey };
}

/**
 * A new key pair as DER (SPKI, PKCS#8), encoded on libuv's thread pool with the key generation:
 * bulk issuance only needs bytes, and WebCrypto's export costs main-thread time per key.
 */
export function generateKeyDer(type: KeyType): Promise<{ spki: ArrayBuffer; pkcs8: Buffer }> {
  const encoding = { publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'der' } } as const;
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, spki: Buffer, pkcs8: Buffer) => {
      if (err) reject(err);
      // issueLeaf takes an ArrayBuffer of exactly the SPKI (a Buffer may share a larger pool).
      else resolve({ spki: spki.buffer.slice(spki.byteOffset, spki.byteOffset + spki.byteLength) as ArrayBuffer, pkcs8 });
    };
    if (type.startsWith('rsa')) generateKeyPair('rsa', { modulusLength: rsaBits(type), publicExponent: 0x10001, ...encoding }, done);
    else generateKeyPair('ec', { namedCurve: type === 'ecdsa-p384' ? 'P-384' : 'P-256', ...encoding }, done);
  });
}

export async function exportPkcs8Der(key: CryptoKey): Promise<Buffer> {
  return Buffer.from(await subtle.exportKey('pkcs8', key));
}

export function plainPkcs8Pem(der: Buffer): string {
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Reads a private key PEM (encrypted or not). A wrong passphrase is a UserError, not an OpenSSL dump. */
export function readPrivateKey(pem: string | Buffer, passphrase?: string): KeyObject {
  const text = pem.toString();
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text);
  if (encrypted && !passphrase) throw new UserError('no-passphrase', 'the private key is encrypted and no passphrase was given');
  try {
    return createPrivateKey(encrypted ? { key: text, format: 'pem', passphrase } : { key: text, format: 'pem' });
  } catch (err) {
    if (encrypted) throw new UserError('bad-passphrase', 'wrong passphrase for the private key');
    throw invalid(`not a readable private key: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** The key type of a private or public key object, or an error for keys we do not issue with. */
export function keyTypeOf(key: KeyObject): KeyType {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') {
    if (details.namedCurve === 'prime256v1') return 'ecdsa-p256';
    if (details.namedCurve === 'secp384r1') return 'ecdsa-p384';
    throw invalid(`unsupported EC curve ${details.namedCurve ?? '?'}: use P-256 or P-384`);
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength;
    if (bits === 2048 || bits === 3072 || bits === 4096) return `rsa-${bits}` as KeyType;
    throw invalid(`unsupported RSA key size ${bits ?? '?'}: use 2048, 3072 or 4096`);
  }
  throw invalid(`unsupported key type ${key.asymmetricKeyType ?? '?'}: use ECDSA or RSA`);
}

export async function toSigningKey(key: KeyObject): Promise<{ type: KeyType; privateKey: CryptoKey }> {
  const type = keyTypeOf(key);
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const privateKey = await subtle.importKey('pkcs8', der, keyAlgorithm(type), false, ['sign']);
  return { type, privateKey };
}

export async function toPublicCryptoKey(spkiDer: Buffer, type: KeyType): Promise<CryptoKey> {
  return subtle.importKey('spki', spkiDer, keyAlgorithm(type), true, ['verify']);
}

export function spkiOf(key: KeyObject): Buffer {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' });
}
