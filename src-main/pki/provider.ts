// @peculiar/x509 relies on decorator metadata; it must be loaded before the library.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// Keys and signatures run in Node's native crypto (WebCrypto is backed by OpenSSL and runs off the
// main thread), so bulk issuance uses every core without worker threads.
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };
export const subtle = webcrypto.subtle;
