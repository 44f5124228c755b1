// The CA key's PBKDF2 count is read at every unlock (to re-encrypt a key whose count is wrong for its
// passphrase): read right from what openssl and Node write, and null, never a throw, for anything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { encryptPkcs8Strong, pkcs8Iterations } from '../../src-main/pki/pkcs8-encrypt.ts';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const der = privateKey.export({ type: 'pkcs8', format: 'der' });

test('the count of our own PBES2 keys, of Node\'s export and of openssl\'s', () => {
  assert.equal(pkcs8Iterations(encryptPkcs8Strong(der, 'pass phrase', 600_000)), 600_000);
  assert.equal(pkcs8Iterations(encryptPkcs8Strong(der, 'pass phrase', 2_048)), 2_048);
  assert.equal(pkcs8Iterations(privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string), 2_048);
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const viaOpenssl = execFileSync('openssl', ['pkcs8', '-topk8', '-v2', 'aes-128-cbc', '-iter', '12345', '-passout', 'pass:x'], { input: pem, encoding: 'utf8' });
  assert.equal(pkcs8Iterations(viaOpenssl), 12_345);
});

test('null for a key that is not PBES2 with PBKDF2, not encrypted, or not DER at all', () => {
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  assert.equal(pkcs8Iterations(pem), null, 'unencrypted');
  const scrypt = execFileSync('openssl', ['pkcs8', '-topk8', '-scrypt', '-passout', 'pass:x'], { input: pem, encoding: 'utf8' });
  assert.equal(pkcs8Iterations(scrypt), null, 'scrypt');
  const wrap = (b64: string) => `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${b64}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
  assert.equal(pkcs8Iterations(wrap('bm90IGRlcg==')), null, 'not DER');
  assert.equal(pkcs8Iterations(wrap('MAA=')), null, 'an empty SEQUENCE');
  const ours = encryptPkcs8Strong(der, 'p', 600_000);
  const body = Buffer.from(ours.split('\n').slice(1, -2).join(''), 'base64');
  assert.equal(pkcs8Iterations(wrap(body.subarray(0, 40).toString('base64'))), null, 'cut short');
});
