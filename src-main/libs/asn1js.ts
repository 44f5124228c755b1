import { bundled, fromSource, onFirstUse } from './on-first-use.ts';

/** BER/DER reading without schemas: already loaded by the X.509 schemas, so reading a structure costs no extra library. */
export const asn1js = onFirstUse<typeof import('asn1js')>(() => (bundled ? require('asn1js') : fromSource('asn1js')));
