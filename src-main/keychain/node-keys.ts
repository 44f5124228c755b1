import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, scrypt, scryptSync } from 'node:crypto';
import { UserError } from '../errors.ts';

/**
 * Node keys at rest: AES-256-GCM under a key derived once per operation from the CA passphrase
 * (scrypt, per-CA salt). Deriving once instead of running PKCS#8 PBKDF2 per key keeps bulk
 * issuance fast while every node key stays encrypted on disk.
 */
const KEK_PARAMS = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** A CA's salt and KDF for its node-key key (CaRecord's kekSalt and kek). */
export interface KekSpec {
  kekSalt: string;
  kek: 'scrypt' | 'hkdf-sha256';
}

const HKDF_INFO = 'cluster-trust node-key kek';

/** HKDF (an app-generated, full-entropy passphrase): microseconds instead of scrypt's ~0.1-0.2 s a command. */
function hkdfKek(passphrase: string, spec: KekSpec): Buffer {
  return Buffer.from(hkdfSync('sha256', passphrase, Buffer.from(spec.kekSalt, 'hex'), HKDF_INFO, 32));
}

export function deriveNodeKeyKek(passphrase: string, spec: KekSpec): Buffer {
  if (spec.kek === 'hkdf-sha256') return hkdfKek(passphrase, spec);
  return scryptSync(passphrase, Buffer.from(spec.kekSalt, 'hex'), 32, KEK_PARAMS);
}

/** The same key, scrypt's on libuv's thread pool: the caller's thread stays free meanwhile. */
export function deriveNodeKeyKekAsync(passphrase: string, spec: KekSpec): Promise<Buffer> {
  if (spec.kek === 'hkdf-sha256') return Promise.resolve(hkdfKek(passphrase, spec));
  return new Promise((resolve, reject) => scrypt(passphrase, Buffer.from(spec.kekSalt, 'hex'), 32, KEK_PARAMS, (err, key) => (err ? reject(err) : resolve(key))));
}

export function newKekSalt(): string {
  return randomBytes(16).toString('hex');
}

const PREFIX = 'ct-gcm1';

export function sealNodeKey(kek: Buffer, pkcs8Der: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  const data = Buffer.concat([cipher.update(pkcs8Der), cipher.final()]);
  return [PREFIX, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
}

export function openNodeKey(kek: Buffer, sealed: string): Buffer {
  const [prefix, iv, tag, data] = sealed.split(':');
  if (prefix !== PREFIX || !iv || !tag || !data) throw new UserError('vault-corrupt', 'a node key in the vault has an unknown format');
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]);
  } catch {
    throw new UserError('bad-passphrase', 'cannot decrypt the node key: wrong passphrase or a damaged vault');
  }
}
