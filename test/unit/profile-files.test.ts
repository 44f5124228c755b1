import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretFile } from '../../src-main/core/node-files.ts';

// One rule for `node config` and the app's node detail: what counts as a secret never leaves the core.
test('a profile file is secret by its mode (no group or other access) or by holding a PEM private key', () => {
  const file = (mode: number, content: string) => ({ mode, content: Buffer.from(content) });
  assert.equal(isSecretFile(file(0o600, 'anything')), true);
  assert.equal(isSecretFile(file(0o400, 'anything')), true);
  assert.equal(isSecretFile(file(0o644, '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n')), true, 'a key left world-readable by a profile is still withheld');
  assert.equal(isSecretFile(file(0o644, '-----BEGIN EC PRIVATE KEY-----\n')), true);
  assert.equal(isSecretFile(file(0o640, '-----BEGIN OPENSSH PRIVATE KEY-----\n')), true);
  assert.equal(isSecretFile(file(0o644, '-----BEGIN CERTIFICATE-----\n')), false);
  assert.equal(isSecretFile(file(0o644, 'listen: 0.0.0.0:4222\n# the private key is node.key\n')), false, 'the words alone are no key');
});
