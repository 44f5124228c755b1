import { bundled, fromSource, onFirstUse } from './on-first-use.ts';

export const asn1Schema = onFirstUse<typeof import('@peculiar/asn1-schema')>(() => (bundled ? require('@peculiar/asn1-schema') : fromSource('@peculiar/asn1-schema')));
export const asn1X509 = onFirstUse<typeof import('@peculiar/asn1-x509')>(() => (bundled ? require('@peculiar/asn1-x509') : fromSource('@peculiar/asn1-x509')));
