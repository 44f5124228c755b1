import { webcrypto } from 'node:crypto';
import { bundled, fromSource, onFirstUse } from './on-first-use.ts';

export const x509 = onFirstUse<typeof import('@peculiar/x509')>(() => {
  // @peculiar/x509 relies on decorator metadata: reflect-metadata must be loaded before it.
  if (bundled) require('reflect-metadata');
  else fromSource('reflect-metadata');
  const lib = (bundled ? require('@peculiar/x509') : fromSource('@peculiar/x509')) as typeof import('@peculiar/x509');
  // Keys and signatures run in Node's native crypto (WebCrypto is backed by OpenSSL).
  lib.cryptoProvider.set(webcrypto as unknown as Crypto);
  return lib;
});
