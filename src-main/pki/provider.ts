import { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { x509 as onFirstUse } from '../libs/x509.ts';

/** @peculiar/x509, loaded on first use (../libs.ts), with Node's native crypto as its provider. */
export const x509: typeof X509 = onFirstUse;

// The library's types under the same name as the value, so `x509.X509Certificate` still names both.
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace x509 {
  export type AuthorityKeyIdentifierExtension = X509.AuthorityKeyIdentifierExtension;
  export type Extension = X509.Extension;
  export type JsonName = X509.JsonName;
  export type KeyUsageFlags = X509.KeyUsageFlags;
  export type Pkcs10CertificateRequest = X509.Pkcs10CertificateRequest;
  export type X509Certificate = X509.X509Certificate;
  export type X509Crl = X509.X509Crl;
  export type X509CrlReason = X509.X509CrlReason;
}

export const subtle = webcrypto.subtle;
