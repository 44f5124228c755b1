import type * as Forge from 'node-forge';
import { forge } from '../libs/forge.ts';

/** Small builders over node-forge's ASN.1 DER encoder, for the structures we assemble ourselves. */

export type Asn1 = Forge.asn1.Asn1;

export const seq = (items: Asn1[]): Asn1 => forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, items);
export const set = (items: Asn1[]): Asn1 => forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, items);
export const oid = (id: string): Asn1 => forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OID, false, forge.asn1.oidToDer(id).getBytes());
export const octets = (bytes: string): Asn1 => forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OCTETSTRING, false, bytes);
export const explicit0 = (inner: Asn1): Asn1 => forge.asn1.create(forge.asn1.Class.CONTEXT_SPECIFIC, 0, true, [inner]);
export const integer = (n: number): Asn1 => forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.INTEGER, false, forge.asn1.integerToDer(n).getBytes());
export const nullValue = (): Asn1 => forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.NULL, false, '');
export const derBytes = (node: Asn1): string => forge.asn1.toDer(node).getBytes();
/** forge works on binary strings: one char per byte. */
export const binary = (buf: Buffer): string => buf.toString('binary');
