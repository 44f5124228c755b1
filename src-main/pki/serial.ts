import { randomBytes } from 'node:crypto';

/** A random positive 128-bit serial as lowercase hex (no leading zero byte, top bit clear). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) || 0x01;
  return bytes.toString('hex');
}

/** Canonical form for comparing serials typed by a user: lowercase, no colons, no leading zeros. */
export function normalizeSerial(input: string): string {
  const hex = input.trim().toLowerCase().replace(/^0x/, '').replace(/:/g, '');
  if (!/^[0-9a-f]+$/.test(hex)) return '';
  return hex.replace(/^0+(?=.)/, '');
}
