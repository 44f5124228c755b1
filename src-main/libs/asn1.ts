import { bundled, fromSource, onFirstUse } from './on-first-use.ts';

export const asn1Schema = onFirstUse<typeof import('@peculiar/asn1-schema')>(() => (bundled ? require('@peculiar/asn1-schema') : fromSource('@peculiar/asn1-schema')));
export const asn1X509 = onFirstUse<typeof import('@peculiar/asn1-x509')>(() => (bundled ? require('@peculiar/asn1-x509') : fromSource('@peculiar/asn1-x509')));
/** BER/DER reading without schemas: the schemas above load it already, so reading a structure costs no extra library. */
export const asn1js = onFirstUse<typeof import('asn1js')>(() => (bundled ? require('asn1js') : fromSource('asn1js')));
